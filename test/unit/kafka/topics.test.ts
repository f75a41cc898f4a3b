import type { Admin } from "kafkajs";
import { describe, expect, it } from "vitest";
import { isTracewatchError } from "../../../src/errors.js";
import {
  ensureTopics,
  kafkaTopicsCommand,
  topicConfigEntries,
  type TopicSpec,
} from "../../../src/kafka/topics.js";

const models: TopicSpec = {
  role: "models",
  topic: "tw.models",
  owner: "tracewatch",
  partitions: 1,
  replicationFactor: -1,
  cleanupPolicy: "compact",
  maxMessageBytes: 16_777_216,
};
const dlq: TopicSpec = {
  role: "dlq",
  topic: "tw.dlq",
  owner: "tracewatch",
  partitions: 2,
  replicationFactor: 3,
  cleanupPolicy: "delete",
  retentionMs: 86_400_000,
};
const spans: TopicSpec = { ...dlq, role: "spans", topic: "spans", owner: "producer" };

/** An Admin that knows `existing` topics (one partition each) and records what it is asked to create. */
function fakeAdmin(existing: string[]) {
  const created: unknown[] = [];
  const admin = {
    listTopics: async () => [...existing],
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({
      topics: topics.map((name) => ({ name, partitions: [{ partitionId: 0 }] })),
    }),
    createTopics: async (request: { topics: unknown[] }) => {
      created.push(...request.topics);
      return true;
    },
  } as unknown as Admin;
  return { admin, created };
}

describe("topic specs", () => {
  it("a compacted topic gets cleanup.policy and max.message.bytes, a delete topic its retention", () => {
    expect(topicConfigEntries(models)).toEqual([
      { name: "cleanup.policy", value: "compact" },
      { name: "max.message.bytes", value: "16777216" },
    ]);
    expect(topicConfigEntries(dlq)).toEqual([
      { name: "cleanup.policy", value: "delete" },
      { name: "retention.ms", value: "86400000" },
    ]);
  });

  it("prints the kafka-topics.sh command, leaving the replication factor to the broker when -1", () => {
    expect(kafkaTopicsCommand(models, "b:9092")).toBe(
      "kafka-topics.sh --bootstrap-server b:9092 --create --if-not-exists --topic tw.models --partitions 1 --config cleanup.policy=compact --config max.message.bytes=16777216",
    );
    expect(kafkaTopicsCommand(dlq, "b:9092")).toContain("--partitions 2 --replication-factor 3 --config");
  });
});

describe("ensureTopics", () => {
  it("creates only the missing topics tracewatch owns, never the producer's", async () => {
    const { admin, created } = fakeAdmin(["tw.dlq"]);
    const result = await ensureTopics(admin, [spans, models, dlq], { create: true, bootstrap: "b:9092" });
    expect(created).toEqual([
      {
        topic: "tw.models",
        numPartitions: 1,
        replicationFactor: -1,
        configEntries: topicConfigEntries(models),
      },
    ]);
    expect(result.created.map((s) => s.topic)).toEqual(["tw.models"]);
    expect(result.states.map((s) => [s.spec.topic, s.exists])).toEqual([
      ["spans", false],
      ["tw.models", false],
      ["tw.dlq", true],
    ]);
  });

  it("without create, fails naming every missing topic and its command, creating nothing", async () => {
    const { admin, created } = fakeAdmin([]);
    const err = await ensureTopics(admin, [spans, models, dlq], { create: false, bootstrap: "b:9092" }).catch(
      (e: unknown) => e,
    );
    expect(isTracewatchError(err, "TW_TOPICS_MISSING")).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain("missing Kafka topics: tw.models (models), tw.dlq (dlq)");
    expect(message).toContain("tracewatch topics --create");
    expect(message).toContain(kafkaTopicsCommand(models, "b:9092"));
    expect(message).toContain(kafkaTopicsCommand(dlq, "b:9092"));
    expect(message).not.toContain("spans");
    expect(created).toEqual([]);
  });
});
