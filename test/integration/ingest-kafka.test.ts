import { afterAll, describe, expect, it } from "vitest";
import type { CompletedTrace } from "../../src/domain/trace.js";
import { createTestKafka, createTestTopic, deleteTopics } from "../helpers/kafka.js";
import { deliveries, produceAll, testConsumer, traceMessages, waitFor } from "./ingest-support.js";

const topics: string[] = [];
afterAll(() => deleteTopics(topics));

describe("Kafka span source against a real broker", () => {
  it("delivers 10,000 traces over 6 partitions as exactly 10,000 complete traces", async () => {
    const topic = await createTestTopic("ingest-exact", 6);
    topics.push(topic, `${topic}.dlq`);
    const kafka = createTestKafka("ingest-exact");
    const { expected, messages } = traceMessages(10_000, 11);
    expect([...expected.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(50_000);
    const producer = kafka.producer();
    await producer.connect();
    await produceAll(producer, topic, messages);
    await producer.disconnect();

    const delivered: CompletedTrace[] = [];
    const { source, assembler } = testConsumer(kafka, topic, `${topic}-group`, delivered);
    await source.start();
    try {
      await waitFor(() => delivered.length >= 10_000, 90_000, "10,000 traces");
      await new Promise((r) => setTimeout(r, 4_000));
    } finally {
      await source.stop(5_000);
    }
    const seen = deliveries(delivered);
    expect(delivered).toHaveLength(10_000);
    expect(seen.size).toBe(10_000);
    for (const [traceId, count] of expected) expect(seen.get(traceId), traceId).toEqual([count]);
    expect(assembler.stats()).toMatchObject({ duplicateSpans: 0, lateSpans: 0 });
    expect(assembler.stats().completed.root).toBe(10_000);
    const admin = kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: `${topic}-group`, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const byPartition = new Map(ends.map((e) => [e.partition, e.high]));
    expect(committed?.partitions).toHaveLength(6);
    for (const p of committed?.partitions ?? []) expect(p.offset).toBe(byPartition.get(p.partition));
  });
});
