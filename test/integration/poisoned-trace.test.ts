import type { Admin, KafkaMessage, Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticSpans } from "../../src/bench/ingest-data.js";
import { decodeSpans } from "../../src/decode/index.js";
import type { Span } from "../../src/domain/span.js";
import { encodeOtlpProto } from "../../src/otlp/index.js";
import type { Service } from "../../src/service/service.js";
import { detectorConfig } from "../helpers/detector-config.js";
import { produceAll, traceMessages, waitFor } from "./ingest-support.js";
import { KafkaServe } from "./kafka-serve.js";

const GOOD_TRACES = 10_000;

/** A trace whose root span names itself as its parent: accepted by the decoder, a parent cycle. */
function selfParentTrace(): Span[] {
  const spans = syntheticSpans({ traces: 1, spansPerTrace: 3, seed: 7_001 });
  return spans.map((s) => (s.parentSpanId === null ? { ...s, parentSpanId: s.spanId } : s));
}

describe("a poisoned trace on the real broker", () => {
  let serve: KafkaServe;
  let service: Service;
  let producer: Producer;
  let admin: Admin;
  let topics: Readonly<Record<string, string>>;
  const featureKeys = new Set<string>();
  const deadLetters: KafkaMessage[] = [];
  const selfParent = selfParentTrace();
  const failing = syntheticSpans({ traces: 1, spansPerTrace: 3, seed: 7_002 });
  const selfParentId = selfParent[0]!.traceId;
  const failingId = failing[0]!.traceId;

  beforeAll(async () => {
    serve = await KafkaServe.create({ prefix: "poisoned", spanPartitions: 3 });
    topics = serve.topics;
    const config = detectorConfig(
      `  training: { window: 1h, sample_rate: 1.0, min_samples: 2000, retrain_interval: 1h }
  assembly: { decision_wait: 1s, root_grace: 200ms }
  api: { enabled: false }
${serve.kafkaSpec()}`,
      "poisoned",
    );
    service = await serve.start(config, {
      // The test hook: scoring throws for one trace, as a bug in any stage would.
      beforeStart: (s) => {
        const detector = s.core.detector;
        const score = detector.score.bind(detector);
        detector.score = (f) => {
          if (f.traceId === failingId)
            throw new TypeError("Cannot read properties of undefined (reading 'service')");
          return score(f);
        };
      },
    });
    producer = await serve.producer();
    admin = await serve.admin();
    await serve.consume(
      `${topics.features}-reader`,
      [topics.features!, topics.dlq!],
      async ({ topic, message }) => {
        if (topic === topics.dlq) deadLetters.push(message);
        else featureKeys.add(message.key!.toString());
      },
    );
  });

  afterAll(async () => {
    await serve?.stop();
  });

  it("scores 10,000 good traces around a self-parent span and a trace that fails, dead-letters the failure and commits to the end", async () => {
    const { expected, messages } = traceMessages(GOOD_TRACES, 31, 3);
    const half = messages.length / 2;
    const poisoned = [
      { key: selfParentId, value: Buffer.from(encodeOtlpProto(selfParent)) },
      { key: failingId, value: Buffer.from(encodeOtlpProto(failing)) },
    ];
    await produceAll(producer, topics.spans!, [
      ...messages.slice(0, half),
      ...poisoned,
      ...messages.slice(half),
    ]);

    await waitFor(
      () =>
        [...expected.keys()].every((t) => featureKeys.has(t)) &&
        featureKeys.has(selfParentId) &&
        deadLetters.length > 0,
      60_000,
      `every trace but the failing one scored (${featureKeys.size} so far) and a dead letter`,
    );
    expect(featureKeys.has(selfParentId)).toBe(true);
    expect(featureKeys.has(failingId)).toBe(false);

    expect(deadLetters.map((m) => m.key?.toString())).toEqual([failingId]);
    const letter = deadLetters[0]!;
    const header = (name: string): string | undefined => letter.headers?.[name]?.toString();
    expect(header("error.code")).toBe("TW_TRACE_FAILED");
    expect(header("error.stage")).toBe("score");
    expect(header("error.message")).toContain("Cannot read properties of undefined (reading 'service')");
    const kept = decodeSpans(letter.value!);
    expect(kept.spans.map((s) => s.spanId).sort()).toEqual(failing.map((s) => s.spanId).sort());

    const metrics = await service.registry.metrics();
    expect(metrics).toMatch(/tracewatch_traces_failed_total\{stage="score"\} 1\n/);
    expect(metrics).toMatch(/tracewatch_trace_repairs_total\{repair="parent_cycle"\} 1\n/);

    // Consumption never stopped: the group's committed offsets reach the end of every partition.
    const ends = await admin.fetchTopicOffsets(topics.spans!);
    const behind = async (): Promise<number> => {
      const [committed] = await admin.fetchOffsets({
        groupId: serve.groupId,
        topics: [topics.spans!],
      });
      return ends.reduce((sum, e) => {
        const c = committed!.partitions.find((p) => p.partition === e.partition);
        return sum + Number(e.offset) - Math.max(0, Number(c?.offset ?? 0));
      }, 0);
    };
    let left = Infinity;
    for (let i = 0; i < 300 && left > 0; i++) {
      left = await behind();
      if (left > 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(left).toBe(0);
  });
});
