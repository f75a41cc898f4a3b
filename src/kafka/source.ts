import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka, KafkaMessage, Producer } from "kafkajs";
import { noopLogger, PartitionOffsets, type CoreLogger } from "../core/assembler/index.js";
import type { SpanIntake } from "../core/pipeline/detection-pipeline.js";
import { decodeSpans, type DecodeOptions } from "../decode/index.js";
import { describeError } from "../errors.js";
import { MessageRedactor, type MessageRedactorOptions } from "../decode/redact-message.js";
import { DeadLetterWriter } from "./dead-letters.js";
import { watchConsumer, watchProducer, type HealthSignal } from "./health.js";
import { noopSourceMetrics, type SourceMetrics } from "./source-metrics.js";
import { newProducer } from "./producer.js";

/** Options of {@link KafkaSpanSource}. */
export interface KafkaSpanSourceOptions {
  /** A kafkajs client built by the composition root. */
  readonly kafka: Kafka;
  /** The detection pipeline (or a bare assembler in tests). */
  readonly assembler: SpanIntake;
  /** Span topic. Default `otlp_spans`. */
  readonly topic?: string;
  /** Consumer group. Default `tracewatch`. */
  readonly groupId?: string;
  /** Dead-letter topic. Default `tracewatch.dlq`. */
  readonly deadLetterTopic?: string;
  /** Redaction of dead-lettered messages (`spec.redaction`, `spec.dead_letters`). Default: none, keep. */
  readonly redaction?: MessageRedactorOptions;
  /** Decoder options (encoding, size limit, attribute retention). Default: detect per message. */
  readonly decode?: DecodeOptions;
  /** A new group starts at the earliest offset (true, default) or the latest. */
  readonly fromBeginning?: boolean;
  /** How often the assembler is ticked. Default 200 ms; 0: its host ticks it (serve's one timer). */
  readonly tickIntervalMs?: number;
  /** How often acknowledged offsets are committed. Default 1,000 ms. */
  readonly commitIntervalMs?: number;
  /** Extra kafkajs consumer settings (session timeout, fetch sizes). */
  readonly consumer?: Partial<ConsumerConfig>;
  readonly metrics?: SourceMetrics;
  readonly logger?: CoreLogger;
  /** Live state of the consumer and of the dead-letter producer, for readiness. Default: none. */
  readonly health?: { readonly consumer?: HealthSignal; readonly deadLetters?: HealthSignal };
}

/**
 * Reads spans from a Kafka topic into the assembler, at least once: a partition's offset is
 * committed only past messages whose traces were all completed and acknowledged downstream (or
 * whose bad parts reached the dead-letter topic). Every rebalance drops the open traces, because
 * kafkajs resumes every assigned partition from its committed offset afterwards.
 */
export class KafkaSpanSource {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly deadLetters: DeadLetterWriter;
  private readonly metrics: SourceMetrics;
  private readonly logger: CoreLogger;
  private readonly topic: string;
  private readonly decodeOptions: DecodeOptions;
  private partitions = new Map<number, PartitionOffsets>();
  private epoch = 0;
  private paused = false;
  private stopping = false;
  private started = false;
  private stopped: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  private committing: Promise<void> = Promise.resolve();
  private batchRunning: Promise<void> = Promise.resolve();

  constructor(private readonly options: KafkaSpanSourceOptions) {
    this.topic = options.topic ?? "otlp_spans";
    this.metrics = options.metrics ?? noopSourceMetrics;
    this.logger = options.logger ?? noopLogger;
    this.decodeOptions = options.decode ?? {};
    this.consumer = options.kafka.consumer({
      groupId: options.groupId ?? "tracewatch",
      // kafkajs sleeps this long when every partition is paused: keep resuming after
      // back-pressure quick, well inside decision_wait, so half-read traces are not idled out.
      maxWaitTimeInMs: 500,
      ...options.consumer,
    });
    this.producer = newProducer(options.kafka, { allowAutoTopicCreation: true });
    if (options.health?.consumer !== undefined) watchConsumer(this.consumer, options.health.consumer);
    if (options.health?.deadLetters !== undefined) watchProducer(this.producer, options.health.deadLetters);
    this.deadLetters = new DeadLetterWriter(
      this.producer,
      options.deadLetterTopic ?? "tracewatch.dlq",
      this.metrics,
      this.logger,
      new MessageRedactor(options.redaction),
    );
    options.assembler.onPressureChange((over) => void this.setPaused(over));
  }

  /** Connects, joins the group and starts consuming. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.producer.connect();
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.onGroupJoin());
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.trackBatch(payload),
    });
    const commit = setInterval(() => void this.commit(), this.options.commitIntervalMs ?? 1_000);
    commit.unref();
    this.timers = [commit];
    const tickMs = this.options.tickIntervalMs ?? 200;
    if (tickMs > 0) {
      const tick = setInterval(() => this.options.assembler.tick(), tickMs);
      tick.unref();
      this.timers.push(tick);
    }
    this.logger.info({ topic: this.topic }, "kafka span source started");
  }

  /** After every join the consumer re-reads from committed offsets: start a new epoch from scratch. */
  private onGroupJoin(): void {
    const first = this.epoch === 0;
    this.epoch++;
    this.partitions = new Map();
    this.deadLetters.discard();
    const dropped = this.options.assembler.dropOpen({ onlyHeld: true });
    if (!first) {
      this.metrics.rebalanced();
      this.logger.info({ topic: this.topic, droppedTraces: dropped }, "consumer group rebalanced");
    }
  }

  private trackBatch(payload: EachBatchPayload): Promise<void> {
    const run = this.handleBatch(payload);
    this.batchRunning = run.catch(() => undefined);
    return run;
  }

  private async handleBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const epoch = this.epoch;
    let offsets = this.partitions.get(batch.partition);
    if (offsets === undefined) {
      offsets = new PartitionOffsets();
      this.partitions.set(batch.partition, offsets);
    }
    let lastHeartbeat = Date.now();
    let lastOffset: string | null = null;
    for (const message of batch.messages) {
      // Stop between messages when the generation ended or back-pressure began; kafkajs
      // re-fetches from the last resolved offset, so nothing is skipped.
      if (!isRunning() || isStale() || epoch !== this.epoch || this.stopping || this.paused) break;
      this.handleMessage(batch.topic, batch.partition, message, offsets);
      resolveOffset(message.offset);
      lastOffset = message.offset;
      if (Date.now() - lastHeartbeat > 1_000) {
        await heartbeat();
        lastHeartbeat = Date.now();
      }
    }
    if (lastOffset !== null) {
      const lag = Number(BigInt(batch.highWatermark) - BigInt(lastOffset) - 1n);
      this.metrics.lag(batch.topic, batch.partition, lag);
    }
    await this.deadLetters.flush();
    await heartbeat();
  }

  private handleMessage(
    topic: string,
    partition: number,
    message: KafkaMessage,
    offsets: PartitionOffsets,
  ): void {
    const ack = offsets.begin(message.offset);
    const value = message.value ?? Buffer.alloc(0);
    const result = decodeSpans(value, this.decodeOptions);
    if (result.rejected.length > 0) {
      this.metrics.rejected(result.rejected);
      this.deadLetters.add(message, result, { topic, partition, offset: message.offset }, ack);
    }
    if (result.spans.length > 0) {
      this.options.assembler.add(result.spans, ack);
      this.metrics.spansDecoded(result.encoding, result.spans.length);
    }
    const outcome = result.rejected.length === 0 ? "ok" : result.spans.length > 0 ? "partial" : "dead_letter";
    this.metrics.messageConsumed(outcome, value.length);
    ack.seal();
  }

  private async setPaused(pause: boolean): Promise<void> {
    if (pause === this.paused || (!pause && this.stopping)) return;
    this.paused = pause;
    this.metrics.paused(pause);
    this.logger.info(
      { topic: this.topic, paused: pause },
      pause ? "back-pressure: pausing" : "back-pressure over: resuming",
    );
    if (pause) this.consumer.pause([{ topic: this.topic }]);
    else this.consumer.resume([{ topic: this.topic }]);
  }

  /** Commits every partition's acknowledged offset; resolves when done (never rejects). */
  commit(): Promise<void> {
    this.committing = this.committing.then(() => this.commitOnce());
    return this.committing;
  }

  private async commitOnce(): Promise<void> {
    if (this.deadLetters.pending > 0) await this.deadLetters.flush();
    const epoch = this.epoch;
    const entries = [...this.partitions].flatMap(([partition, offsets]) => {
      const offset = offsets.pendingCommit();
      return offset === null ? [] : [{ partition, offset, offsets }];
    });
    if (entries.length === 0) return;
    try {
      await this.consumer.commitOffsets(
        entries.map(({ partition, offset }) => ({ topic: this.topic, partition, offset })),
      );
      if (epoch !== this.epoch) return;
      for (const e of entries) e.offsets.markCommitted(e.offset);
      this.metrics.committed(entries.length);
    } catch (err) {
      // A rebalance in progress rejects commits; the new generation re-reads from the last commit.
      this.metrics.commitFailed();
      this.logger.warn({ topic: this.topic, err: describeError(err) }, "offset commit failed");
    }
  }

  /**
   * Stops fetching, lets the assembler complete what it can within `graceMs` (by its normal
   * rules) and waits for acknowledgements, commits, then leaves the group. Open traces left at
   * the deadline are not flushed half-read: the next owner re-reads them. Idempotent.
   */
  stop(graceMs = 10_000): Promise<void> {
    this.stopped ??= this.stopNow(graceMs);
    return this.stopped;
  }

  private async stopNow(graceMs: number): Promise<void> {
    this.stopping = true;
    const deadline = Date.now() + graceMs;
    if (this.started) {
      this.consumer.pause([{ topic: this.topic }]);
      await this.batchRunning;
      const assembler = this.options.assembler;
      while (Date.now() < deadline) {
        assembler.tick();
        const stats = assembler.stats();
        if (stats.openTraces === 0 && stats.inFlightTraces === 0 && this.deadLetters.pending === 0) break;
        await this.commit();
        await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, deadline - Date.now()))));
      }
      await this.commit();
      for (const t of this.timers) clearInterval(t);
      // Traces still open were read only in part: completing them would deliver partial traces.
      const left = this.options.assembler.dropOpen({ onlyHeld: true });
      if (left > 0)
        this.logger.info(
          { topic: this.topic, openTraces: left },
          "stopping with open traces; they will be re-read",
        );
    }
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }
}
