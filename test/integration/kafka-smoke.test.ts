import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Partitioners, type Consumer, type Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestKafka, createTestTopic, deleteTopics } from "../helpers/kafka.js";

const MESSAGES = 10_000;
const PARTITIONS = 6;
const KEYS = 120;
const BATCH = 1_000;

interface Received {
  partition: number;
  offset: bigint;
  key: string;
  seq: number;
}

/** Message i carries key i % KEYS and that key's sequence number i / KEYS (0, 1, 2, ...). */
function message(i: number): { key: string; value: string } {
  const key = `key-${String(i % KEYS).padStart(3, "0")}`;
  return { key, value: JSON.stringify({ key, seq: Math.floor(i / KEYS) }) };
}

async function produceAll(producer: Producer, topic: string): Promise<void> {
  // One awaited send at a time keeps each key's messages in send order on its partition.
  for (let start = 0; start < MESSAGES; start += BATCH) {
    const messages = Array.from({ length: Math.min(BATCH, MESSAGES - start) }, (_, j) => message(start + j));
    await producer.send({ topic, messages, acks: -1 });
  }
}

async function consumeAll(consumer: Consumer, topic: string, timeoutMs: number): Promise<Received[]> {
  const received: Received[] = [];
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message: m }) => {
      const body = JSON.parse(m.value?.toString() ?? "null") as { key: string; seq: number };
      expect(m.key?.toString()).toBe(body.key);
      received.push({ partition, offset: BigInt(m.offset), key: body.key, seq: body.seq });
    },
  });
  const deadline = Date.now() + timeoutMs;
  while (received.length < MESSAGES && Date.now() < deadline) await sleep(50);
  if (received.length < MESSAGES)
    throw new Error(`consumed ${received.length}/${MESSAGES} in ${timeoutMs} ms`);
  return received;
}

describe("local Kafka broker with kafkajs", () => {
  const kafka = createTestKafka("tracewatch-smoke");
  const topics: string[] = [];
  let topic = "";

  beforeAll(async () => {
    topic = await createTestTopic("tracewatch-smoke", PARTITIONS);
    topics.push(topic);
  });

  afterAll(async () => {
    await deleteTopics(topics);
  });

  it("delivers 10,000 keyed messages over 6 partitions to a consumer group, each partition in order", async () => {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    const groupId = `tracewatch-smoke-${randomBytes(4).toString("hex")}`;
    // A short fetch wait keeps disconnect from idling on a long poll once everything was read.
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 250,
    });
    await producer.connect();
    await consumer.connect();
    let received: Received[];
    try {
      await produceAll(producer, topic);
      received = await consumeAll(consumer, topic, 60_000);
    } finally {
      await producer.disconnect();
      await consumer.disconnect();
    }

    expect(received).toHaveLength(MESSAGES);
    expect(new Set(received.map((r) => `${r.key}/${r.seq}`)).size).toBe(MESSAGES);

    const lastOffset = new Map<number, bigint>();
    const nextSeq = new Map<string, number>();
    const partitionOfKey = new Map<string, number>();
    for (const r of received) {
      const previous = lastOffset.get(r.partition);
      if (previous !== undefined) expect(r.offset).toBeGreaterThan(previous);
      lastOffset.set(r.partition, r.offset);
      expect(r.seq).toBe(nextSeq.get(r.key) ?? 0);
      nextSeq.set(r.key, r.seq + 1);
      expect(partitionOfKey.get(r.key) ?? r.partition).toBe(r.partition);
      partitionOfKey.set(r.key, r.partition);
    }
    expect(nextSeq.size).toBe(KEYS);
    expect(new Set(received.map((r) => r.partition)).size).toBe(PARTITIONS);

    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      expect(ends.reduce((sum, p) => sum + Number(p.high), 0)).toBe(MESSAGES);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const byPartition = new Map(committed?.partitions.map((p) => [p.partition, p.offset]));
      for (const end of ends) expect(byPartition.get(end.partition)).toBe(end.high);
    } finally {
      await admin.disconnect();
    }
  });
});
