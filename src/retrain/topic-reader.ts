import { randomUUID } from "node:crypto";
import type { Kafka } from "kafkajs";

/** One record value read from a topic. */
export interface TopicRecord {
  readonly partition: number;
  readonly offset: string;
  readonly value: Buffer | null;
}

/**
 * Reads a topic from its beginning up to the end offsets it had when reading started, then stops:
 * a bounded snapshot, not a subscription. Uses a throw-away consumer group and commits nothing.
 */
export async function* readTopicSnapshot(
  kafka: Kafka,
  topic: string,
  /** Stop when nothing arrived for this long (offset gaps, e.g. transaction markers), ms. Default 15 s. */
  idleMs = 15_000,
): AsyncGenerator<TopicRecord> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  const pending = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  if (pending.size === 0) return;
  const consumer = kafka.consumer({ groupId: `tracewatch-retrain-${randomUUID()}` });
  const queue: TopicRecord[] = [];
  let wake: (() => void) | null = null;
  let failure: unknown = null;
  const notify = (): void => {
    wake?.();
    wake = null;
  };
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const high = ends.get(partition) ?? 0n;
        if (BigInt(message.offset) < high)
          queue.push({ partition, offset: message.offset, value: message.value });
        if (BigInt(message.offset) >= high - 1n) pending.delete(partition);
        notify();
      },
    });
    consumer.on(consumer.events.CRASH, (e) => {
      failure = e.payload.error;
      notify();
    });
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (failure !== null) throw failure;
      if (pending.size === 0) return;
      const arrived = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), idleMs);
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      if (!arrived) return;
    }
  } finally {
    await consumer.disconnect();
  }
}
