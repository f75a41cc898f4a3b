import type { Admin, Kafka, Producer } from "kafkajs";
import type { Logger } from "pino";
import { Registry } from "prom-client";
import type { Alert } from "../core/alerts/alert.js";
import type { Clock } from "../core/clock.js";
import type { DetectionPipeline } from "../core/pipeline/detection-pipeline.js";
import type { ModelArtifact } from "../core/model/artifact.js";
import { loadModel } from "../core/model/model.js";
import { describeError } from "../errors.js";
import type { Config } from "../config/index.js";
import { createApiServer, type ApiServer } from "../http/api.js";
import { apiServerOptions } from "../http/from-config.js";
import type { OtlpGrpcReceiver } from "../http/otlp-grpc-receiver.js";
import type { OtlpReceiver } from "../http/otlp-receiver.js";
import { RecentAlerts } from "../http/recent-alerts.js";
import { watchProducer } from "../kafka/health.js";
import { createIngestMetrics } from "../kafka/metrics.js";
import type { KafkaSpanSource } from "../kafka/source.js";
import { traceDeadLetter } from "../kafka/trace-dead-letters.js";
import { MessageRedactor } from "../decode/redact-message.js";
import { metricsOptions } from "../metrics/from-config.js";
import { createMetrics, type TracewatchMetrics } from "../metrics/pipeline.js";
import { ModelFollower } from "../model/model-topic.js";
import { ModelStore } from "../model/store.js";
import type { PipelineOutputs } from "../core/pipeline/trace-pipeline.js";
import { systemClock } from "../platform/clock.js";
import type { AlertDispatcher } from "../sinks/dispatcher.js";
import { alertDispatcher, longestSinkShutdownGraceMs } from "./alerting.js";
import { FileIncidentStore, KafkaIncidentStore, type IncidentStore } from "./incident-store.js";
import { Incidents } from "./incidents.js";
import { apiProviders } from "./api-providers.js";
import { OnCallViews } from "./views.js";
import { SampledPublisher } from "./sampled-publisher.js";
import { TailSampler } from "../core/sampling/sampler.js";
import { DEFAULT_SAMPLING, keptTraceBytes } from "../config/schema-sampling.js";
import { ServiceGraphEdgeList } from "../metrics/service-graph.js";
import { BatchPublisher } from "./batch-publisher.js";
import { buildDetectionCore, type DetectionCore } from "./detector.js";
import { createDetectionPipeline } from "./pipeline.js";
import { createKafkaClient } from "./kafka-client.js";
import { featureRecord, pipelineMetrics } from "./records.js";
import { createRetraining, type Retraining, type RetrainWorkerOptions } from "./retraining.js";
import { Readiness, type HealthSignal } from "./readiness.js";
import { startWhenSpanTopicExists } from "./span-topic.js";
import { bootstrapOf, serveTopicPlan } from "./topic-plan.js";
import { ensureTopics } from "../kafka/topics.js";
import { kafkaSpanSource, otlpGrpcSpanReceiver, otlpSpanReceiver, type OtlpReceiverDeps } from "./sources.js";
import { newProducer } from "../kafka/producer.js";

const TICK_MS = 200;
/** Time allowed on shutdown for the last dead-letter writes (three attempts) and the commit, ms. */
const SETTLE_MARGIN_MS = 5_000;
/** How often an unwritable model store is checked again, ms. */
const STORE_PROBE_MS = 5_000;

/** Process-level options of {@link Service} beyond the config. */
export interface ServiceOptions {
  /** Training worker script and Node flags (tests run the TypeScript sources through a loader). */
  readonly retrainWorker?: RetrainWorkerOptions;
  /**
   * The pipeline's clock (assembly, window, alerts, retrain schedule). Default: the wall clock.
   * Tests pass a manual clock; the timer then ticks the pipeline at that clock's time.
   */
  readonly clock?: Clock;
}

/** Addresses the service listens on, once started. */
export interface ServiceAddresses {
  otlp?: string;
  /** The OTLP/gRPC receiver, `grpc://host:port`. */
  otlpGrpc?: string;
  api?: string;
}

/**
 * The composition root of `tracewatch serve`: builds every stage from the config, starts the
 * sources last and stops them first, so nothing is accepted that cannot be processed.
 */
export class Service {
  readonly registry = new Registry();
  readonly metrics: TracewatchMetrics;
  readonly core: DetectionCore;
  readonly addresses: ServiceAddresses = {};
  /** The live state of the Kafka consumer and producers and the model store (`/readyz`). */
  readonly readiness: Readiness;
  private readonly log: Logger;
  private readonly root: Logger;
  private readonly clock: Clock;
  private readonly store: ModelStore;
  private readonly recent: RecentAlerts<Alert>;
  /** Service map and kept traces (dashboard and /api/v1 views). */
  private readonly views: OnCallViews;
  private readonly ingestMetrics: ReturnType<typeof createIngestMetrics>;
  private kafka: Kafka | null = null;
  private producer: Producer | null = null;
  private dispatcher: AlertDispatcher | null = null;
  private incidents: Incidents | null = null;
  private pipeline: DetectionPipeline | null = null;
  private retraining: Retraining | null = null;
  private follower: ModelFollower | null = null;
  private source: KafkaSpanSource | null = null;
  private receiver: OtlpReceiver | null = null;
  private grpcReceiver: OtlpGrpcReceiver | null = null;
  private api: ApiServer | null = null;
  private features: BatchPublisher | null = null;
  /** Kept traces to spec.topics.sampled (Kafka only). */
  private sampled: SampledPublisher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  private sourceConnected = { otlp: false, otlpGrpc: false };
  private readonly storeHealth: HealthSignal;
  private kafkaHealth: { consumer: HealthSignal; producer: HealthSignal; deadLetters: HealthSignal } | null =
    null;
  private probeAdmin: Admin | null = null;
  /** Creates the topics at start and, while the span topic is missing, looks for it. */
  private topicAdmin: Admin | null = null;
  private spanTopicExists = true;
  private readonly stopWaiting = new AbortController();
  private spanSourceStart: Promise<void> | null = null;

  constructor(
    private readonly config: Config,
    logger: Logger,
    private readonly options: ServiceOptions = {},
  ) {
    this.root = logger;
    this.log = logger.child({ component: "service" });
    this.metrics = createMetrics(this.registry, metricsOptions(config, { processMetrics: true }));
    this.ingestMetrics = createIngestMetrics(this.registry, this.metrics);
    this.clock = options.clock ?? systemClock;
    this.core = buildDetectionCore(config, this.clock);
    this.readiness = new Readiness(systemClock, this.registry);
    this.store = new ModelStore({
      dir: config.spec.model_store.dir,
      keep: config.spec.model_store.keep,
      onWriteOutcome: (err) =>
        err === null
          ? this.storeHealth.ok()
          : this.storeHealth.fail(
              `model store ${config.spec.model_store.dir} not writable: ${describeError(err)}`,
            ),
    });
    this.storeHealth = this.readiness.component("model_store", {
      initially: "not checked yet",
      probe: () => this.store.probe(config.metadata.name),
      probeIntervalMs: STORE_PROBE_MS,
    });
    this.recent = new RecentAlerts(config.spec.alerting.recent_alerts);
    const graph = config.serviceGraph?.spec;
    const sampling = (config.sampling ?? DEFAULT_SAMPLING).spec;
    this.views = new OnCallViews({
      core: this.core,
      clock: this.clock,
      sampler: new TailSampler(sampling, { threshold: config.spec.detection.threshold }),
      keptTraces: sampling.store.max_traces,
      keptBytes: keptTraceBytes(config),
      minSamples: config.spec.training.min_samples,
      incidents: () => this.incidents?.tracker.openIncidents() ?? [],
      ...(graph === undefined
        ? {}
        : {
            windowMs: graph.data_source.window,
            thresholds: {
              warning: graph.nodes.thresholds.warningRate,
              critical: graph.nodes.thresholds.criticalRate,
            },
          }),
    });
  }

  /** Builds and starts every part; throws (after cleaning up) when one cannot start. */
  async start(): Promise<void> {
    try {
      await this.loadStoredModel();
      // Not ready while unwritable; probed again until it is (the rejection is reported there).
      await this.store.probe(this.config.metadata.name).catch(() => undefined);
      if (this.config.spec.sources.kafka.enabled) await this.connectKafka();
      this.buildPipeline();
      // Loads the saved incidents beside the sources' start; alerts wait for it.
      void this.incidents!.start();
      await this.startSources();
      await this.startApi();
      this.log.info({ ...this.addresses, warmingUp: this.core.detector.warmingUp }, "tracewatch started");
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  private async loadStoredModel(): Promise<void> {
    const name = this.config.metadata.name;
    const a = await this.store.loadNewest(name, (version, err) =>
      this.log.warn({ version, err }, "stored model skipped"),
    );
    if (a === null) {
      this.log.info({ detector: name }, "no stored model: warming up");
      return;
    }
    this.install(a, "store");
  }

  private install(a: ModelArtifact, from: "store" | "topic"): void {
    this.core.detector.install(loadModel(a));
    this.metrics.setModel(a.version, a.trainedAtMs);
    this.log.info({ version: a.version, samples: a.sampleCount, from }, "model installed");
  }

  private async connectKafka(): Promise<void> {
    this.kafka = createKafkaClient(this.config, this.root);
    this.kafkaHealth = this.kafkaComponents(this.kafka);
    this.topicAdmin = this.kafka.admin();
    await this.topicAdmin.connect();
    await this.ensureTopics(this.topicAdmin);
    this.producer = newProducer(this.kafka, { allowAutoTopicCreation: true });
    watchProducer(this.producer, this.kafkaHealth.producer);
    await this.producer.connect();
    const topics = this.config.spec.topics;
    this.features = new BatchPublisher({ producer: this.producer, topic: topics.features });
    this.sampled = new SampledPublisher({
      producer: this.producer,
      topic: topics.sampled,
      redaction: this.config.spec.redaction,
    });
    this.follower = new ModelFollower({
      kafka: this.kafka,
      detector: this.config.metadata.name,
      topic: topics.models,
      after: this.core.detector.model?.version ?? "",
      onModel: (a) => {
        // This instance's own retrains come back from the topic: that model is in use already.
        if (a.version !== this.core.detector.model?.version) this.install(a, "topic");
      },
      onInvalid: (err) => this.log.warn({ err }, "invalid model on the model topic skipped"),
    });
    await this.follower.start();
  }

  /**
   * Creates the missing topics this service writes (or, with spec.topics.create false, fails
   * naming them) and notes whether the producer's span topic exists yet.
   */
  private async ensureTopics(admin: Admin): Promise<void> {
    const { states, created } = await ensureTopics(admin, serveTopicPlan(this.config), {
      create: this.config.spec.topics.create,
      bootstrap: bootstrapOf(this.config),
    });
    for (const s of created)
      this.log.info(
        { topic: s.topic, role: s.role, partitions: s.partitions, cleanupPolicy: s.cleanupPolicy },
        "topic created",
      );
    this.spanTopicExists = states.some((s) => s.spec.role === "spans" && s.exists);
  }

  /**
   * Readiness of the span consumer (stale when it has not fetched for a session timeout) and of
   * the two producers (recovering on their next good send, or when the cluster answers a probe).
   */
  private kafkaComponents(kafka: Kafka) {
    const probe = async (): Promise<void> => {
      this.probeAdmin ??= kafka.admin({ retry: { retries: 0 } });
      await this.probeAdmin.connect();
      await this.probeAdmin.describeCluster();
    };
    return {
      consumer: this.readiness.component("kafka_consumer", {
        initially: "not consuming yet",
        staleAfterMs: this.config.spec.sources.kafka.session_timeout,
      }),
      producer: this.readiness.component("kafka_producer", { probe }),
      deadLetters: this.readiness.component("kafka_dlq_producer", { probe }),
    };
  }

  private buildPipeline(): void {
    const { config, metrics } = this;
    const { dispatcher, notifier } = alertDispatcher(config, {
      clock: this.clock,
      producer: this.producer,
      metrics,
      logger: this.root.child({ component: "sinks" }),
    });
    this.dispatcher = dispatcher;
    const incidents = new Incidents({
      config,
      clock: this.clock,
      store: this.incidentStore(),
      notifier,
      logger: this.root.child({ component: "incidents" }),
    });
    this.incidents = incidents;
    const features = this.features;
    const sampled = this.sampled;
    const failed = this.failedTraces();
    const retraining = this.createRetraining();
    const edges = new ServiceGraphEdgeList();
    this.pipeline = createDetectionPipeline(config, {
      clock: this.clock,
      core: this.core,
      trainer: retraining.trainer,
      // Kept traces are held within the one memory budget, spec.assembly.max_bytes.
      sharedBytes: () => this.views.kept.bytes,
      metrics: { pipeline: pipelineMetrics(metrics), assembler: this.ingestMetrics.assembler },
      logger: {
        pipeline: this.root.child({ component: "pipeline" }),
        assembler: this.root.child({ component: "assembler" }),
      },
      outputs: {
        ...(failed === null ? {} : { failed }),
        alert: (alert, trace) => {
          metrics.alerts.inc({ type: alert.type, severity: alert.severity });
          this.recent.push(alert);
          incidents.observe(alert);
          this.views.keepAlerted(alert, trace);
          // Held by the trace's acknowledgement until every sink delivered or dead-lettered it.
          return dispatcher.dispatchSettled(alert);
        },
        scored: (scored, trace, parentOf, spanNs) => {
          // One computation of the trace's service-graph edges for the metrics and the service map,
          // on the parent links and span durations scoring built.
          edges.fill(trace.spans, trace.earlierSpans, parentOf, spanNs);
          metrics.traces.record(trace, edges);
          this.views.recordTrace(edges);
          edges.release();
          const kept = this.views.sample(scored, trace)?.keep === true ? sampled?.publish(trace) : undefined;
          const published =
            features === null
              ? undefined
              : features.publish({ key: scored.features.traceId, value: featureRecord(scored) });
          if (kept !== undefined) return Promise.all([published, kept]).then(() => undefined);
          return published;
        },
      },
    }).pipeline;
    // The one timer: it ticks the pipeline (assembly deadlines, retrain schedule), the warm-up log
    // and the incidents (quiet periods).
    this.timer = setInterval(() => {
      const now = this.clock.now();
      this.pipeline?.tick(now);
      retraining.tick(now);
      this.incidents?.tick(now);
    }, TICK_MS);
    this.timer.unref();
  }

  /** The incidents topic with Kafka, else incidents.json in the model store directory. */
  private incidentStore(): IncidentStore {
    if (this.kafka === null || this.producer === null || this.topicAdmin === null)
      return new FileIncidentStore(this.config.spec.model_store.dir);
    return new KafkaIncidentStore({
      kafka: this.kafka,
      admin: this.topicAdmin,
      producer: this.producer,
      topic: this.config.spec.topics.incidents,
    });
  }

  /**
   * Where a trace whose processing threw goes: the dead-letter topic (its spans, redacted, with
   * the error), once the broker has it. Without Kafka it is only counted and logged.
   */
  private failedTraces(): PipelineOutputs["failed"] | null {
    if (this.producer === null) return null;
    const publisher = new BatchPublisher({ producer: this.producer, topic: this.config.spec.topics.dlq });
    const redactor = new MessageRedactor({ actions: this.config.spec.redaction });
    return (failure, trace) =>
      publisher
        .publish(traceDeadLetter(trace, failure, redactor))
        .then(() => this.metrics.deadLetters.inc({ reason: "trace_failed" }));
  }

  private createRetraining(): Retraining {
    this.retraining = createRetraining({
      config: this.config,
      core: this.core,
      clock: this.clock,
      store: this.store,
      metrics: this.metrics,
      producer: this.producer,
      logger: this.root.child({ component: "retrainer" }),
      ...(this.options.retrainWorker === undefined ? {} : { worker: this.options.retrainWorker }),
    });
    return this.retraining;
  }

  private async startSources(): Promise<void> {
    const assembler = this.pipeline!;
    const spec = this.config.spec;
    if (spec.sources.kafka.enabled && this.kafka !== null) {
      this.source = kafkaSpanSource(this.config, {
        kafka: this.kafka,
        assembler,
        metrics: this.ingestMetrics.source,
        logger: this.root.child({ component: "kafka-source" }),
        ...(this.kafkaHealth === null
          ? {}
          : { health: { consumer: this.kafkaHealth.consumer, deadLetters: this.kafkaHealth.deadLetters } }),
      });
      const source = this.source;
      const start = startWhenSpanTopicExists(
        {
          admin: this.topicAdmin!,
          topic: spec.sources.kafka.topic,
          exists: this.spanTopicExists,
          health: this.kafkaHealth!.consumer,
          logger: this.root.child({ component: "kafka-source" }),
          signal: this.stopWaiting.signal,
        },
        () => source.start(),
      );
      this.spanSourceStart = start.catch((err: unknown) => {
        this.log.error({ err }, "kafka span source failed to start");
        this.kafkaHealth?.consumer.fail(`consumer failed to start: ${describeError(err)}`);
      });
      // A missing span topic does not hold up the start: the API reports not ready meanwhile.
      if (this.spanTopicExists) await start;
    }
    const otlpDeps = (component: string): OtlpReceiverDeps => ({
      assembler,
      metrics: this.metrics,
      rejected: (rejections) => this.ingestMetrics.source.rejected(rejections),
      logger: this.root.child({ component }),
    });
    if (spec.sources.otlp_http.enabled) {
      this.receiver = otlpSpanReceiver(this.config, otlpDeps("otlp-receiver"));
      this.addresses.otlp = (await this.receiver.listen()).url;
      this.sourceConnected.otlp = true;
    }
    if (spec.sources.otlp_grpc.enabled) {
      this.grpcReceiver = otlpGrpcSpanReceiver(this.config, otlpDeps("otlp-grpc-receiver"));
      this.addresses.otlpGrpc = (await this.grpcReceiver.listen()).url;
      this.sourceConnected.otlpGrpc = true;
    }
  }

  private async startApi(): Promise<void> {
    const spec = this.config.spec;
    if (!spec.api.enabled) return;
    const providers = apiProviders({
      core: this.core,
      retrainer: this.retraining!.retrainer,
      recent: this.recent,
      windowMs: spec.training.window,
      components: () => this.readiness.report(),
      sources: () => [
        ...(spec.sources.kafka.enabled ? [this.kafkaSourceState()] : []),
        ...(spec.sources.otlp_http.enabled
          ? [{ name: "otlp_http", connected: this.sourceConnected.otlp }]
          : []),
        ...(spec.sources.otlp_grpc.enabled
          ? [{ name: "otlp_grpc", connected: this.sourceConnected.otlpGrpc }]
          : []),
      ],
    });
    this.api = createApiServer(
      apiServerOptions(this.config, {
        registry: this.registry,
        providers: {
          ...providers,
          views: this.views.providers(),
          ...(this.incidents === null ? {} : { incidents: this.incidents.tracker }),
        },
        logger: this.root.child({ component: "api" }),
        isShuttingDown: () => this.stopping !== null,
      }),
    );
    this.addresses.api = (await this.api.listen()).url;
  }

  /** The Kafka source as `/readyz` lists it: connected while its consumer is ready. */
  private kafkaSourceState(): { name: string; connected: boolean; detail?: string } {
    const consumer = this.readiness.report().find((c) => c.name === "kafka_consumer");
    if (consumer === undefined) return { name: "kafka", connected: false, detail: "not started" };
    return {
      name: "kafka",
      connected: consumer.ready,
      ...(consumer.reason === undefined ? {} : { detail: consumer.reason }),
    };
  }

  /**
   * Graceful shutdown, idempotent: stop accepting spans, complete and process the open traces
   * (within `graceMs`, ms), drain the sinks (each for its `shutdown_grace`; what is left is
   * dead-lettered), commit the offsets those settlements acknowledged, then disconnect.
   */
  stop(graceMs = 10_000): Promise<void> {
    this.stopping ??= this.stopNow(graceMs);
    return this.stopping;
  }

  private async stopNow(graceMs: number): Promise<void> {
    const step = async (what: string, fn: () => Promise<unknown> | undefined): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        this.log.error({ err, step: what }, "shutdown step failed");
      }
    };
    if (this.timer !== null) clearInterval(this.timer);
    this.stopWaiting.abort();
    await this.spanSourceStart;
    await Promise.all([
      step("otlp receiver", () => this.receiver?.close()),
      step("otlp grpc receiver", () => this.grpcReceiver?.close()),
    ]);
    // Traces are acknowledged only once their alerts are delivered or dead-lettered, so the sinks
    // keep running while the source completes what it read, then shut down (grace, dead letters),
    // and the source, still waiting, commits what those settlements acknowledged.
    const source = this.source;
    if (source === null) {
      const processed = step("assembler", () => this.pipeline?.shutdown());
      await step("sinks", () => this.dispatcher?.shutdown());
      await processed;
    } else {
      const drained = step("kafka source", () =>
        source.stop(graceMs + longestSinkShutdownGraceMs(this.config) + SETTLE_MARGIN_MS),
      );
      await this.untilReadTracesCompleted(drained, graceMs);
      await step("sinks", () => this.dispatcher?.shutdown());
      await drained;
      // Spans from OTLP (gRPC, HTTP) still open now complete here; their alerts go to the dead letters.
      await step("assembler", () => this.pipeline?.shutdown());
    }
    await step("features", () => this.features?.flush());
    await step("sampled", () => this.sampled?.flush());
    await step("incidents", () => this.incidents?.shutdown(longestSinkShutdownGraceMs(this.config)));
    await step("retrainer", () => this.retraining?.retrainer.shutdown());
    await step("model follower", () => this.follower?.shutdown());
    await step("producer", () => this.producer?.disconnect());
    this.readiness.close();
    await step("readiness probe", () => this.probeAdmin?.disconnect());
    await step("topic admin", () => this.topicAdmin?.disconnect());
    await step("api", () => this.api?.close());
    this.log.info({}, "tracewatch stopped");
  }

  /** Resolves once no trace is open (each read trace completed, its alerts enqueued), the source stopped, or after `graceMs`. */
  private async untilReadTracesCompleted(stopped: Promise<void>, graceMs: number): Promise<void> {
    let done = false;
    void stopped.then(() => (done = true));
    const deadline = Date.now() + graceMs;
    while (!done && Date.now() < deadline && (this.pipeline?.stats().openTraces ?? 0) > 0)
      await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
