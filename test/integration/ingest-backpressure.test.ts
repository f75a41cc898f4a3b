import { afterAll, describe, expect, it } from "vitest";
import { TraceAssembler } from "../../src/core/assembler/index.js";
import type { CompletedTrace } from "../../src/domain/trace.js";
import { KafkaSpanSource, noopSourceMetrics } from "../../src/kafka/index.js";
import { systemClock } from "../../src/platform/clock.js";
import { createTestKafka, createTestTopic, deleteTopics } from "../helpers/kafka.js";
import { deliveries, produceAll, traceMessages, waitFor } from "./ingest-support.js";

const topics: string[] = [];
afterAll(() => deleteTopics(topics));

describe("back-pressure against a real broker", () => {
  it("pauses consumption instead of evicting when the downstream is slower than the input", async () => {
    const topic = await createTestTopic("ingest-pressure", 3);
    topics.push(topic, `${topic}.dlq`);
    const kafka = createTestKafka("ingest-pressure");
    const { expected, messages } = traceMessages(3_000, 51);
    const producer = kafka.producer();
    await producer.connect();
    await produceAll(producer, topic, messages);
    await producer.disconnect();

    const delivered: CompletedTrace[] = [];
    const pauses: boolean[] = [];
    const assembler = new TraceAssembler({
      clock: systemClock,
      rootGraceMs: 100,
      decisionWaitMs: 3_000,
      maxTraces: 400,
      // A slow downstream: each trace takes 2 ms to acknowledge, one at a time.
      processor: (() => {
        let chain = Promise.resolve();
        return {
          process: (trace: CompletedTrace) =>
            (chain = chain.then(async () => {
              await new Promise((r) => setTimeout(r, 2));
              delivered.push(trace);
            })),
        };
      })(),
    });
    const source = new KafkaSpanSource({
      kafka,
      assembler,
      topic,
      groupId: `${topic}-group`,
      tickIntervalMs: 50,
      commitIntervalMs: 250,
      metrics: { ...noopSourceMetrics, paused: (p) => void pauses.push(p) },
    });
    await source.start();
    try {
      await waitFor(() => delivered.length >= expected.size, 90_000, "every trace");
    } finally {
      await source.stop(5_000);
    }
    const seen = deliveries(delivered);
    for (const [traceId, count] of expected) expect(seen.get(traceId), traceId).toEqual([count]);
    expect(pauses.filter((p) => p).length).toBeGreaterThan(0);
    expect(pauses.filter((p) => !p).length).toBeGreaterThan(0);
    expect(assembler.stats().completed.evicted).toBe(0);
  });
});
