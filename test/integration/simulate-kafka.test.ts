import { afterAll, describe, expect, it, vi } from "vitest";
import { decodeSpans } from "../../src/decode/index.js";
import { ManualClock } from "../../src/core/clock.js";
import { KafkaTraceSink } from "../../src/sim/output/kafka.js";
import { runSimulation } from "../../src/sim/run.js";
import { Simulator, type SimulatedTrace } from "../../src/sim/simulator.js";
import { InMemoryTraceSink } from "../../src/sim/output/sink.js";
import { simulateCommand } from "../../src/cli/simulate.js";
import {
  createTestKafka,
  createTestTopic,
  deleteTopics,
  kafkaBrokers,
  uniqueTopicName,
} from "../helpers/kafka.js";

/** Runs `fn` with stderr silenced (the command prints its summary there). */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const spy = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    return await fn();
  } finally {
    spy.mockRestore();
  }
}

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
});

const START = 1_700_000_000_000;

describe("simulate to Kafka", () => {
  it("writes one OTLP protobuf message per trace, keyed by trace id, each trace whole on one partition", async () => {
    const topic = await createTestTopic("simulate-spans", 3);
    topics.push(topic);
    const kafka = createTestKafka("simulate-test");
    const sink = new KafkaTraceSink({ producer: kafka.producer(), topic, brokers: kafkaBrokers() });
    const clock = new ManualClock(START);
    const options = { mode: "fast" as const, maxTraces: 600, batchTraces: 100, clock, sleep: async () => {} };
    const result = await runSimulation({
      ...options,
      simulator: new Simulator({ seed: 21, startTimeMs: START }),
      sink,
    });
    await sink.close();
    expect(result).toMatchObject({ ok: true, summary: { traces: 600 } });
    const expected = new InMemoryTraceSink();
    await runSimulation({
      ...options,
      simulator: new Simulator({ seed: 21, startTimeMs: START }),
      sink: expected,
    });
    const byId = new Map<string, SimulatedTrace>(expected.traces.map((t) => [t.traceId, t]));

    const consumer = kafka.consumer({ groupId: `${topic}-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen = new Map<string, number>();
    const problems: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.size} of 600 traces arrived`)), 60_000);
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          const key = message.key?.toString() ?? "";
          const decoded = decodeSpans(message.value ?? Buffer.alloc(0), { encoding: "otlp_proto" });
          const trace = byId.get(key);
          if (trace === undefined) problems.push(`unexpected key ${key}`);
          else if (
            decoded.spans.length !== trace.spans.length ||
            decoded.spans.some((s) => s.traceId !== key)
          )
            problems.push(`trace ${key} incomplete`);
          if (seen.has(key)) problems.push(`trace ${key} twice`);
          seen.set(key, partition);
          if (seen.size === 600) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    expect(problems).toEqual([]);
    expect(new Set(seen.values()).size).toBe(3);
  });

  it("creates a missing topic from the command line and fills it with one message per trace", async () => {
    const topic = uniqueTopicName("simulate-cli");
    topics.push(topic);
    const brokers = kafkaBrokers().join(",");
    const code = await quietly(() =>
      simulateCommand.run([
        "--fast",
        "--traces",
        "300",
        "--output",
        `kafka:${brokers}`,
        "--topic",
        topic,
        "--partitions",
        "2",
        "--quiet",
      ]),
    );
    expect(code).toBe(0);
    const admin = createTestKafka("simulate-cli-admin").admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(offsets).toHaveLength(2);
      expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(300);
    } finally {
      await admin.disconnect();
    }
  });

  it("reports an unreachable broker as a failed write", async () => {
    const kafka = createTestKafka("simulate-test-down", {
      brokers: ["127.0.0.1:1"],
      retry: { retries: 0 },
      connectionTimeout: 500,
    });
    const sink = new KafkaTraceSink({
      producer: kafka.producer(),
      topic: "unused",
      brokers: ["127.0.0.1:1"],
    });
    const traces = [...new Simulator({ seed: 1, startTimeMs: START }).take(2)];
    const result = await sink.write(traces);
    await sink.close();
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining("kafka:127.0.0.1:1/unused") });
  });
});
