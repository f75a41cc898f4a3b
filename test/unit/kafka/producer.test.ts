import { Kafka, logLevel, Partitioners, type LogEntry } from "kafkajs";
import { describe, expect, it } from "vitest";
import { newProducer } from "../../../src/kafka/producer.js";

function kafkaLogging(entries: LogEntry[]): Kafka {
  return new Kafka({
    brokers: ["127.0.0.1:1"],
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => entries.push(entry),
  });
}

describe("newProducer", () => {
  it("names the partitioner, so kafkajs does not warn at start that its default changed", () => {
    const plain: LogEntry[] = [];
    kafkaLogging(plain).producer();
    // The warning this avoids (a kafkajs producer created without a partitioner logs it).
    expect(plain.map((e) => e.log.message).join("\n")).toMatch(/partitioner/i);
    const ours: LogEntry[] = [];
    newProducer(kafkaLogging(ours), { allowAutoTopicCreation: true });
    expect(ours.map((e) => e.log.message)).toEqual([]);
  });

  it("partitions keys as the Java client's default partitioner does (murmur2)", () => {
    const partition = Partitioners.DefaultPartitioner()({
      topic: "t",
      partitionMetadata: [0, 1, 2, 3, 4, 5].map((id) => ({ partitionId: id, leader: 0 }) as never),
      message: { key: "4bf92f3577b34da6a3ce929d0e0e4736", value: "x" },
    });
    // murmur2("4bf92f3577b34da6a3ce929d0e0e4736") & 0x7fffffff, modulo 6.
    expect(partition).toBe(javaDefault("4bf92f3577b34da6a3ce929d0e0e4736", 6));
  });
});

/** Kafka's Utils.murmur2 (seed 0x9747b28c) and toPositive, as the Java client partitions a key. */
function javaDefault(key: string, partitions: number): number {
  const data = Buffer.from(key);
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ data.length) | 0;
  const len4 = data.length >> 2;
  for (let i = 0; i < len4; i++) {
    let k = data.readInt32LE(i * 4);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = data.length & 3;
  const at = data.length & ~3;
  if (rest === 3) h ^= (data[at + 2] as number) << 16;
  if (rest >= 2) h ^= (data[at + 1] as number) << 8;
  if (rest >= 1) {
    h ^= data[at] as number;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return (h & 0x7fffffff) % partitions;
}
