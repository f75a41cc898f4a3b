import { randomBytes } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { TraceAssembler } from "../core/assembler/index.js";
import { KafkaSpanSource, noopSourceMetrics } from "../kafka/index.js";
import { systemClock } from "../platform/clock.js";
import { otlpMessages } from "./ingest-common.js";
import { newProducer } from "../kafka/producer.js";

/** Options of {@link benchKafka}. */
export interface KafkaBenchOptions {
  /** Bootstrap addresses of the broker to use (e.g. `127.0.0.1:9092`). */
  readonly brokers: readonly string[];
  /** Spans to produce and consume. Default 300,000 (10-span traces, one trace per message). */
  readonly spans?: number;
  /** Partitions of the temporary topic. Default 6. */
  readonly partitions?: number;
  /** Give up after this long. Default 120 s. */
  readonly timeoutMs?: number;
}

/**
 * End-to-end throughput through a real broker with one consumer: from the first message fetched
 * to the last trace completed and acknowledged, in spans per second. Produces to a temporary
 * topic keyed by trace id first (not timed) and deletes it afterwards. One run; callers repeat it.
 */
export async function benchKafka(options: KafkaBenchOptions): Promise<number> {
  const spans = options.spans ?? 300_000;
  const kafka = new Kafka({
    clientId: "tracewatch-bench",
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
  });
  const topic = `tracewatch-bench-${randomBytes(4).toString("hex")}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: options.partitions ?? 6 }],
      waitForLeaders: true,
    });
    await produce(kafka, topic, spans);
    return await consume(kafka, topic, spans, options.timeoutMs ?? 120_000);
  } finally {
    await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
  }
}

async function produce(kafka: Kafka, topic: string, spans: number): Promise<void> {
  const { messages } = otlpMessages({ traces: spans / 10, spansPerTrace: 10, spansPerMessage: 10, seed: 3 });
  const producer = newProducer(kafka);
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 1_000) {
      const chunk = messages.slice(i, i + 1_000).map((value) => ({ key: value.subarray(0, 64), value }));
      await producer.send({ topic, acks: -1, messages: chunk });
    }
  } finally {
    await producer.disconnect();
  }
}

async function consume(kafka: Kafka, topic: string, spans: number, timeoutMs: number): Promise<number> {
  let completed = 0;
  let firstAt = 0n;
  let doneAt = 0n;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  // Ingest and assembly only: completed traces are counted, not scored, so this measures the
  // source and the assembler without the detection pipeline (bench's pipeline parts time that).
  const assembler = new TraceAssembler({
    clock: systemClock,
    rootGraceMs: 200,
    processor: {
      process: async (trace) => {
        completed += trace.spans.length;
        if (completed >= spans && doneAt === 0n) {
          doneAt = process.hrtime.bigint();
          finish();
        }
      },
    },
  });
  const metrics = {
    ...noopSourceMetrics,
    messageConsumed: () => {
      if (firstAt === 0n) firstAt = process.hrtime.bigint();
    },
  };
  const source = new KafkaSpanSource({
    kafka,
    assembler,
    topic,
    groupId: `${topic}-group`,
    metrics,
    tickIntervalMs: 50,
  });
  await source.start();
  const timer = setTimeout(finish, timeoutMs);
  try {
    await finished;
  } finally {
    clearTimeout(timer);
    await source.stop(2_000);
  }
  if (completed < spans)
    throw new Error(`only ${completed} of ${spans} spans completed within ${timeoutMs} ms`);
  return Math.round(spans / (Number(doneAt - firstAt) / 1e9));
}
