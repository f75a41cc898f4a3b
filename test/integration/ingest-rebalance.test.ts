import { afterAll, describe, expect, it } from "vitest";
import type { CompletedTrace } from "../../src/domain/trace.js";
import { createTestKafka, createTestTopic, deleteTopics } from "../helpers/kafka.js";
import { deliveries, produceAll, testConsumer, traceMessages, waitFor } from "./ingest-support.js";

const topics: string[] = [];
afterAll(() => deleteTopics(topics));

describe("rebalancing against a real broker", () => {
  it("delivers no trace with missing spans when a third consumer joins two mid-stream", async () => {
    const topic = await createTestTopic("ingest-rebalance", 6);
    topics.push(topic, `${topic}.dlq`);
    const kafka = createTestKafka("ingest-rebalance");
    const group = `${topic}-group`;
    const { expected, messages } = traceMessages(6_000, 31);
    const producer = kafka.producer();
    await producer.connect();

    const delivered: CompletedTrace[] = [];
    const consumers = [
      testConsumer(kafka, topic, group, delivered),
      testConsumer(kafka, topic, group, delivered),
    ];
    await Promise.all(consumers.map((c) => c.source.start()));
    try {
      const third = Math.floor(messages.length / 3);
      await produceAll(producer, topic, messages.slice(0, third), 500);
      await waitFor(() => delivered.length > 500, 60_000, "first deliveries");
      // Keep producing while the third consumer joins, so partitions move with traces half read.
      const late = testConsumer(kafka, topic, group, delivered);
      consumers.push(late);
      const joining = late.source.start();
      // Until the joiner has taken partitions over and completed a trace, the rest trickles in, so
      // the rebalance lands mid-stream however long the group takes to rebalance.
      const rest = messages.slice(third);
      for (let i = 0; i < rest.length; i += 100) {
        await produceAll(producer, topic, rest.slice(i, i + 100), 100);
        if (late.assembler.stats().completed.root === 0) await new Promise((r) => setTimeout(r, 50));
      }
      await joining;
      await waitFor(() => deliveries(delivered).size >= expected.size, 120_000, "every trace");
    } finally {
      await producer.disconnect();
      await Promise.all(consumers.map((c) => c.source.stop(5_000)));
    }
    const seen = deliveries(delivered);
    expect(seen.size).toBe(expected.size);
    for (const [traceId, count] of expected) {
      const counts = seen.get(traceId) ?? [];
      expect(counts.length, traceId).toBeGreaterThanOrEqual(1);
      expect(
        counts.every((c) => c === count),
        `${traceId} delivered as ${counts.join(",")} of ${count}`,
      ).toBe(true);
    }
    // The joiner took partitions over, so partitions really moved mid-stream.
    expect(consumers[2]!.assembler.stats().completed.root).toBeGreaterThan(0);
    expect(
      consumers.map((c) => c.assembler.stats().completed.idle + c.assembler.stats().completed.evicted),
    ).toEqual([0, 0, 0]);
  });
});
