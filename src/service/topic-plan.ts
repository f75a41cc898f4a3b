import type { Config } from "../config/index.js";
import type { TopicSpec } from "../kafka/topics.js";

type Topics = Config["spec"]["topics"];
type Role = "alerts" | "features" | "models" | "dlq" | "incidents" | "sampled";

function ownTopic(topics: Topics, role: Role, topic: string, label: string = role): TopicSpec {
  const rf = topics.replication_factor;
  const base = { role: label, topic, owner: "tracewatch" as const, replicationFactor: rf };
  if (role === "models") {
    const m = topics.settings.models;
    return {
      ...base,
      partitions: m.partitions,
      cleanupPolicy: "compact",
      ...(m.max_message_bytes === undefined ? {} : { maxMessageBytes: m.max_message_bytes }),
    };
  }
  if (role === "incidents") {
    // Keyed by incident id: compaction keeps each incident's latest state.
    return { ...base, partitions: topics.settings.incidents.partitions, cleanupPolicy: "compact" };
  }
  const s = topics.settings[role];
  return { ...base, partitions: s.partitions, cleanupPolicy: "delete", retentionMs: s.retention };
}

/**
 * The topics `serve` uses with this config: the span topic (the producer's, never created by
 * tracewatch) and those it writes: features, models (compacted), dead letters and each kafka
 * sink's topic (settings of spec.topics.settings.alerts), incidents (compacted) and the kept traces
 * (`spec.topics.sampled`). Empty when the Kafka source is off.
 */
export function serveTopicPlan(config: Config): TopicSpec[] {
  if (!config.spec.sources.kafka.enabled) return [];
  const topics = config.spec.topics;
  const k = config.spec.sources.kafka;
  const spans: TopicSpec = {
    role: "spans",
    topic: k.topic,
    owner: "producer",
    partitions: 6,
    replicationFactor: topics.replication_factor,
    cleanupPolicy: "delete",
  };
  const sinks = config.spec.sinks.flatMap((s) =>
    s.type === "kafka"
      ? [ownTopic(topics, "alerts", s.topic, s.topic === topics.alerts ? "alerts" : `sink ${s.name}`)]
      : [],
  );
  const plan = [
    spans,
    ...sinks,
    ownTopic(topics, "features", topics.features),
    ownTopic(topics, "models", topics.models),
    ownTopic(topics, "dlq", topics.dlq),
    ownTopic(topics, "incidents", topics.incidents),
    ownTopic(topics, "sampled", topics.sampled),
  ];
  // One row per topic: the first role that names it wins (a sink writing to the DLQ topic).
  const seen = new Set<string>();
  return plan.filter((s) => !seen.has(s.topic) && seen.add(s.topic));
}

/** The topic `retrain` publishes to (the model topic), when it publishes. */
export function modelTopicPlan(config: Config): TopicSpec[] {
  return [ownTopic(config.spec.topics, "models", config.spec.topics.models)];
}

/** The bootstrap list as `kafka-topics.sh --bootstrap-server` takes it. */
export function bootstrapOf(config: Config): string {
  return config.spec.sources.kafka.brokers.join(",");
}
