import type { Kafka, KafkaMessage, Producer } from "kafkajs";
import { syntheticSpans } from "../../src/bench/ingest-data.js";
import { ManualClock } from "../../src/core/clock.js";
import { TraceAssembler } from "../../src/core/assembler/index.js";
import type { Span } from "../../src/domain/span.js";
import type { CompletedTrace } from "../../src/domain/trace.js";
import { KafkaSpanSource } from "../../src/kafka/index.js";
import { encodeOtlpProto } from "../../src/otlp/index.js";
import { systemClock } from "../../src/platform/clock.js";

/** Test traffic: each trace split into two messages keyed by trace id, the root in the last one. */
export interface TraceMessages {
  readonly expected: Map<string, number>;
  readonly messages: Array<{ key: string; value: Buffer }>;
}

export function traceMessages(traces: number, seed: number, spansPerTrace = 6): TraceMessages {
  const spans = syntheticSpans({ traces, spansPerTrace, seed, attributesPerSpan: 3 });
  const expected = new Map<string, number>();
  const messages: Array<{ key: string; value: Buffer }> = [];
  for (let i = 0; i < spans.length; i += spansPerTrace) {
    const trace = spans.slice(i, i + spansPerTrace);
    const [root, ...children] = trace as [Span, ...Span[]];
    const half = Math.ceil(children.length / 2);
    expected.set(root.traceId, trace.length);
    messages.push({ key: root.traceId, value: Buffer.from(encodeOtlpProto(children.slice(0, half))) });
    messages.push({
      key: root.traceId,
      value: Buffer.from(encodeOtlpProto([...children.slice(half), root])),
    });
  }
  return { expected, messages };
}

export async function produceAll(
  producer: Producer,
  topic: string,
  messages: ReadonlyArray<{ key: string; value: Buffer; headers?: Record<string, string> }>,
  chunk = 2_000,
): Promise<void> {
  for (let i = 0; i < messages.length; i += chunk) {
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + chunk) });
  }
}

/** A consumer (source plus its own assembler) whose processor records delivered traces. */
export function testConsumer(
  kafka: Kafka,
  topic: string,
  groupId: string,
  delivered: CompletedTrace[],
  options: { deadLetterTopic?: string; maxMessageBytes?: number } = {},
) {
  const assembler = new TraceAssembler({
    clock: systemClock,
    decisionWaitMs: 3_000,
    rootGraceMs: 300,
    processor: { process: async (trace) => void delivered.push(trace) },
  });
  const source = new KafkaSpanSource({
    kafka,
    assembler,
    topic,
    groupId,
    deadLetterTopic: options.deadLetterTopic ?? `${topic}.dlq`,
    decode: { maxMessageBytes: options.maxMessageBytes ?? 1_000_000 },
    tickIntervalMs: 100,
    commitIntervalMs: 250,
    consumer: { sessionTimeout: 10_000, heartbeatInterval: 1_000, rebalanceTimeout: 20_000 },
  });
  return { assembler, source };
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const clock = new ManualClock(0);
  const step = 100;
  while (!condition()) {
    if (clock.now() > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, step));
    clock.advance(step);
  }
}

/** Per trace id, the span counts of every delivery. */
export function deliveries(delivered: readonly CompletedTrace[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const t of delivered) out.set(t.traceId, [...(out.get(t.traceId) ?? []), t.spans.length]);
  return out;
}

/**
 * Reads `topic` from its beginning until `count` messages have come (60 s at most), then
 * `settleMs` longer, so that messages beyond `count` are read too.
 */
export async function readMessages(
  kafka: Kafka,
  topic: string,
  count: number,
  settleMs = 0,
): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `${topic}-reader` });
  const got: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void got.push(message) });
  try {
    await waitFor(() => got.length >= count, 60_000, `${count} messages on ${topic}`);
    if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
  } finally {
    await consumer.disconnect();
  }
  return got;
}
