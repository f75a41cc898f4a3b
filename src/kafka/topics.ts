import type { Admin, ITopicConfig } from "kafkajs";
import { TracewatchError } from "../errors.js";

/** One topic as tracewatch would create it. */
export interface TopicSpec {
  /** What the topic is for: alerts, features, models, dlq, spans, or `sink <name>`. */
  readonly role: string;
  readonly topic: string;
  /** tracewatch creates its own topics; the span topic belongs to the producer. */
  readonly owner: "tracewatch" | "producer";
  readonly partitions: number;
  /** -1: the broker's default.replication.factor. */
  readonly replicationFactor: number;
  readonly cleanupPolicy: "delete" | "compact";
  /** retention.ms; absent: the broker's default. */
  readonly retentionMs?: number;
  /** max.message.bytes; absent: the broker's default. */
  readonly maxMessageBytes?: number;
}

/** A planned topic and what the cluster has of it. */
export interface TopicState {
  readonly spec: TopicSpec;
  readonly exists: boolean;
  /** Partitions it has, when it exists. */
  readonly partitions?: number;
}

/** The topic-level configs of a spec, as CreateTopics takes them. */
export function topicConfigEntries(spec: TopicSpec): { name: string; value: string }[] {
  return [
    { name: "cleanup.policy", value: spec.cleanupPolicy },
    ...(spec.retentionMs === undefined ? [] : [{ name: "retention.ms", value: String(spec.retentionMs) }]),
    ...(spec.maxMessageBytes === undefined
      ? []
      : [{ name: "max.message.bytes", value: String(spec.maxMessageBytes) }]),
  ];
}

/** The `kafka-topics.sh` command that creates `spec` by hand. */
export function kafkaTopicsCommand(spec: TopicSpec, bootstrap: string): string {
  const configs = topicConfigEntries(spec).map((c) => ` --config ${c.name}=${c.value}`);
  const rf = spec.replicationFactor === -1 ? "" : ` --replication-factor ${spec.replicationFactor}`;
  return `kafka-topics.sh --bootstrap-server ${bootstrap} --create --if-not-exists --topic ${spec.topic} --partitions ${spec.partitions}${rf}${configs.join("")}`;
}

/** Which planned topics exist, with their partition counts. */
export async function inspectTopics(admin: Admin, plan: readonly TopicSpec[]): Promise<TopicState[]> {
  const existing = new Set(await admin.listTopics());
  const present = plan.filter((s) => existing.has(s.topic)).map((s) => s.topic);
  const metadata =
    present.length === 0 ? { topics: [] } : await admin.fetchTopicMetadata({ topics: [...new Set(present)] });
  const counts = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
  return plan.map((spec) => {
    const partitions = counts.get(spec.topic);
    return partitions === undefined ? { spec, exists: false } : { spec, exists: true, partitions };
  });
}

/**
 * Creates the given topics (waiting for their leaders); a topic another instance created in the
 * meantime counts as done. Throws a TW_KAFKA error naming the topics when the broker refuses.
 */
export async function createTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<void> {
  if (specs.length === 0) return;
  const topics: ITopicConfig[] = specs.map((s) => ({
    topic: s.topic,
    numPartitions: s.partitions,
    replicationFactor: s.replicationFactor,
    configEntries: topicConfigEntries(s),
  }));
  try {
    await admin.createTopics({ topics, waitForLeaders: true });
  } catch (err) {
    const detail = (err as { errors?: { topic?: string; message?: string; type?: string }[] }).errors
      ?.filter((e) => e.type !== "TOPIC_ALREADY_EXISTS")
      .map((e) => `${e.topic ?? "?"}: ${e.message ?? e.type ?? "refused"}`)
      .join("; ");
    if (detail === "") return;
    throw new TracewatchError(
      "TW_KAFKA",
      `cannot create topics ${specs.map((s) => s.topic).join(", ")}: ${detail ?? String(err)}`,
      { cause: err, retriable: true },
    );
  }
}

/**
 * The error of a start-up that may not create topics: names each missing topic and the commands
 * that create them.
 */
export function missingTopicsError(missing: readonly TopicSpec[], bootstrap: string): TracewatchError {
  const names = missing.map((s) => `${s.topic} (${s.role})`).join(", ");
  const commands = missing.map((s) => `  ${kafkaTopicsCommand(s, bootstrap)}`).join("\n");
  return new TracewatchError(
    "TW_TOPICS_MISSING",
    `missing Kafka topics: ${names}; spec.topics.create is false. Create them with 'tracewatch topics --create' (same config and environment), or:\n${commands}`,
    { details: { topics: missing.map((s) => s.topic) } },
  );
}

/**
 * Makes sure every topic tracewatch owns in `plan` exists: creates the missing ones when
 * `create`, else throws {@link missingTopicsError}. The producer's topics are only inspected.
 * Returns the state before and the topics it created.
 */
export async function ensureTopics(
  admin: Admin,
  plan: readonly TopicSpec[],
  options: { create: boolean; bootstrap: string },
): Promise<{ states: TopicState[]; created: TopicSpec[] }> {
  const states = await inspectTopics(admin, plan);
  const missing = states.filter((s) => !s.exists && s.spec.owner === "tracewatch").map((s) => s.spec);
  if (missing.length === 0) return { states, created: [] };
  if (!options.create) throw missingTopicsError(missing, options.bootstrap);
  await createTopics(admin, missing);
  return { states, created: missing };
}
