import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Kafka, logLevel, type Admin, type KafkaConfig } from "kafkajs";
import { inject } from "vitest";

/**
 * Bootstrap addresses for integration tests: KAFKA_BROKERS when set, otherwise what the Kafka global
 * setup provided (the local broker it found or started).
 */
export function kafkaBrokers(): string[] {
  const provided: string | undefined = inject("kafkaBrokers");
  const raw = process.env.KAFKA_BROKERS?.trim() || provided || "";
  const brokers = raw
    .split(",")
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (brokers.length === 0)
    throw new Error("no Kafka brokers: set KAFKA_BROKERS or run the integration project");
  return brokers;
}

/**
 * A kafkajs client for tests, silent unless asked (kafkajs logs expected errors during rebalances).
 * @param clientId client id shown in broker logs (default "tracewatch-test")
 * @param overrides any other KafkaConfig field; brokers default to kafkaBrokers()
 */
export function createTestKafka(clientId = "tracewatch-test", overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId,
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    ...overrides,
  });
}

/** A topic name no other test (or earlier run) has used: `<prefix>-<time>-<random hex>`. */
export function uniqueTopicName(prefix: string): string {
  if (!/^[a-zA-Z0-9._-]{1,150}$/.test(prefix)) throw new Error(`invalid topic prefix "${prefix}"`);
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
}

async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = createTestKafka("tracewatch-test-admin").admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

async function waitForLeaders(
  admin: Admin,
  topic: string,
  partitions: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = "no metadata";
  while (Date.now() < deadline) {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const found = metadata.topics.find((t) => t.name === topic);
    const led = found?.partitions.filter((p) => p.leader >= 0).length ?? 0;
    if (found && found.partitions.length === partitions && led === partitions) return;
    seen = `${led}/${partitions} partitions with a leader`;
    await sleep(100);
  }
  throw new Error(`topic ${topic} not ready after ${timeoutMs} ms: ${seen}`);
}

/**
 * Create a fresh topic with an explicit partition count (replication factor 1) and wait until every
 * partition has a leader. Returns its name.
 * @param options.configEntries topic configs such as cleanup.policy=compact
 * @param options.timeoutMs how long to wait for leaders (default 30 s)
 */
export async function createTestTopic(
  prefix: string,
  partitions: number,
  options: { configEntries?: { name: string; value: string }[]; timeoutMs?: number } = {},
): Promise<string> {
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new Error(`invalid partition count ${partitions}`);
  const topic = uniqueTopicName(prefix);
  await withAdmin(async (admin) => {
    const created = await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: partitions,
          replicationFactor: 1,
          ...(options.configEntries ? { configEntries: options.configEntries } : {}),
        },
      ],
      waitForLeaders: true,
    });
    if (!created) throw new Error(`topic ${topic} already exists`);
    await waitForLeaders(admin, topic, partitions, options.timeoutMs ?? 30_000);
  });
  return topic;
}

/** Delete topics created by a test; names that no longer exist are ignored. */
export async function deleteTopics(topics: readonly string[]): Promise<void> {
  if (topics.length === 0) return;
  await withAdmin(async (admin) => {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length > 0) await admin.deleteTopics({ topics: present, timeout: 30_000 });
  });
}
