import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { serveTopicPlan } from "../../../src/service/topic-plan.js";

describe("serveTopicPlan", () => {
  it("is empty without Kafka", () => {
    expect(serveTopicPlan(loadConfig({ text: "" }, {}))).toEqual([]);
  });

  it("lists the producer's span topic and the topics serve writes, with their settings", () => {
    const config = loadConfig(
      {
        text: `
spec:
  topics:
    replication_factor: 2
    settings: { features: { partitions: 12, retention: 30d } }
  sinks: [{ type: kafka }, { type: kafka, name: audit, topic: audit.alerts }, { type: log }]
`,
      },
      { KAFKA_BROKERS: "k:9092" },
    );
    const plan = serveTopicPlan(config);
    expect(plan.map((s) => [s.topic, s.role, s.owner, s.partitions, s.cleanupPolicy])).toEqual([
      ["otlp_spans", "spans", "producer", 6, "delete"],
      ["tracewatch.alerts", "alerts", "tracewatch", 3, "delete"],
      ["audit.alerts", "sink audit", "tracewatch", 3, "delete"],
      ["tracewatch.features", "features", "tracewatch", 12, "delete"],
      ["tracewatch.models", "models", "tracewatch", 1, "compact"],
      ["tracewatch.dlq", "dlq", "tracewatch", 1, "delete"],
      ["tracewatch.incidents", "incidents", "tracewatch", 3, "compact"],
      ["tracewatch.sampled", "sampled", "tracewatch", 6, "delete"],
    ]);
    expect(plan.every((s) => s.replicationFactor === 2)).toBe(true);
    expect(plan.find((s) => s.role === "features")?.retentionMs).toBe(30 * 86_400_000);
    expect(plan.find((s) => s.role === "models")?.retentionMs).toBeUndefined();
    expect(plan.find((s) => s.role === "sampled")?.retentionMs).toBe(86_400_000);
  });

  it("leaves out the alerts topic when no kafka sink writes it, and lists a shared topic once", () => {
    const config = loadConfig(
      { text: "spec:\n  sinks: [{ type: log }, { type: kafka, name: dead, topic: tracewatch.dlq }]\n" },
      { KAFKA_BROKERS: "k:9092" },
    );
    expect(serveTopicPlan(config).map((s) => s.topic)).toEqual([
      "otlp_spans",
      "tracewatch.dlq",
      "tracewatch.features",
      "tracewatch.models",
      "tracewatch.incidents",
      "tracewatch.sampled",
    ]);
  });

  it("rejects a replication factor of 0", () => {
    expect(() => loadConfig({ text: "spec:\n  topics: { replication_factor: 0 }\n" }, {})).toThrow(
      /spec\.topics\.replication_factor/,
    );
  });
});
