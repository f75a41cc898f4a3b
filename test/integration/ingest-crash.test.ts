import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestKafka, createTestTopic, deleteTopics, kafkaBrokers } from "../helpers/kafka.js";
import { produceAll, traceMessages, waitFor } from "./ingest-support.js";

const ROOT = join(import.meta.dirname, "../..");
const BUILD = join(ROOT, "node_modules/.cache/tracewatch-ingest-crash");
const topics: string[] = [];

/** The consumer process: the real source and assembler, printing each acknowledged trace. */
const CHILD = `
import { Kafka, logLevel } from "kafkajs";
import { TraceAssembler } from "./core/assembler/index.js";
import { KafkaSpanSource } from "./kafka/index.js";
import { systemClock } from "./platform/clock.js";
const env = process.env;
const assembler = new TraceAssembler({
  clock: systemClock, decisionWaitMs: 3000, rootGraceMs: 300,
  processor: { process: async (t) => { process.stdout.write(t.traceId + " " + t.spans.length + "\\n"); } },
});
const kafka = new Kafka({ clientId: "crash-child", brokers: env.BROKERS.split(","), logLevel: logLevel.NOTHING });
const source = new KafkaSpanSource({ kafka, assembler, topic: env.TOPIC, groupId: env.GROUP,
  deadLetterTopic: env.TOPIC + ".dlq", tickIntervalMs: 100, commitIntervalMs: 200,
  consumer: { sessionTimeout: 6000, heartbeatInterval: 500 } });
process.on("SIGTERM", () => { source.stop(3000).then(() => process.exit(0)); });
await source.start();
`;

function startChild(topic: string, seen: Map<string, number[]>): ChildProcess {
  const child = spawn(process.execPath, [join(BUILD, "crash-child.mjs")], {
    env: { ...process.env, BROKERS: kafkaBrokers().join(","), TOPIC: topic, GROUP: `${topic}-group` },
    stdio: ["ignore", "pipe", "inherit"],
  });
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const [traceId, count] = line.split(" ");
    if (traceId !== undefined) seen.set(traceId, [...(seen.get(traceId) ?? []), Number(count)]);
  });
  return child;
}

const exited = (child: ChildProcess) => new Promise((resolve) => child.once("exit", resolve));

beforeAll(() => {
  mkdirSync(BUILD, { recursive: true });
  // Type errors elsewhere in the tree do not stop tsc from emitting; only the output matters here.
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  const args = [
    "-p",
    join(ROOT, "tsconfig.build.json"),
    "--outDir",
    BUILD,
    "--declaration",
    "false",
    "--sourceMap",
    "false",
  ];
  spawnSync(process.execPath, [tsc, ...args], { stdio: "ignore" });
  if (!existsSync(join(BUILD, "kafka/index.js")))
    throw new Error(`building the consumer into ${BUILD} failed`);
  writeFileSync(join(BUILD, "crash-child.mjs"), CHILD);
}, 180_000);
afterAll(() => deleteTopics(topics));

describe("a consumer killed with SIGKILL mid-stream", () => {
  it("delivers every trace complete at least once after a restart", async () => {
    const topic = await createTestTopic("ingest-crash", 6);
    topics.push(topic, `${topic}.dlq`);
    const { expected, messages } = traceMessages(10_000, 41);
    const producer = createTestKafka("ingest-crash").producer();
    await producer.connect();
    await produceAll(producer, topic, messages);
    await producer.disconnect();

    const seen = new Map<string, number[]>();
    const first = startChild(topic, seen);
    await waitFor(() => seen.size >= 2_000, 90_000, "deliveries before the kill");
    first.kill("SIGKILL");
    await exited(first);
    const beforeRestart = seen.size;
    expect(beforeRestart).toBeLessThan(expected.size);

    const second = startChild(topic, seen);
    try {
      await waitFor(() => seen.size >= expected.size, 120_000, "every trace after the restart");
    } finally {
      second.kill("SIGTERM");
      await exited(second);
    }
    for (const [traceId, count] of expected) {
      const counts = seen.get(traceId) ?? [];
      expect(counts.length, traceId).toBeGreaterThanOrEqual(1);
      expect(
        counts.every((c) => c === count),
        `${traceId}: ${counts.join(",")} of ${count}`,
      ).toBe(true);
    }
    expect(seen.size).toBe(expected.size);
  });
});
