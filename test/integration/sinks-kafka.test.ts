import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import type { KafkaMessage, Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Alert } from "../../src/core/alerts/alert.js";
import { systemClock } from "../../src/platform/clock.js";
import { createSinks } from "../../src/sinks/factory.js";
import { KafkaDeadLetterWriter } from "../../src/sinks/kafka.js";
import { silentLogger } from "../../src/sinks/types.js";
import { createTestKafka, createTestTopic, deleteTopics } from "../helpers/kafka.js";
import { sampleAlerts } from "../unit/sinks/sample-alerts.js";

const topics: string[] = [];
let producer: Producer;

beforeAll(async () => {
  producer = createTestKafka("tracewatch-sinks-test").producer({ allowAutoTopicCreation: false });
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await deleteTopics(topics);
});

/** Reads `count` messages from the start of `topic` (fails after 30 s). */
async function readAll(topic: string, count: number): Promise<KafkaMessage[]> {
  const consumer = createTestKafka("tracewatch-sinks-reader").consumer({ groupId: `${topic}-reader` });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${messages.length}/${count} messages on ${topic}`)),
        30_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          messages.push(message);
          if (messages.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

const header = (m: KafkaMessage, name: string): string | undefined => m.headers?.[name]?.toString();

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("kafka sink", () => {
  it("publishes every alert keyed by its id with the alert JSON as value", async () => {
    const topic = await createTestTopic("tw-alerts", 3);
    topics.push(topic);
    const [sink] = createSinks([{ type: "kafka", topic }], {
      clock: systemClock,
      logger: silentLogger,
      deadLetters: new KafkaDeadLetterWriter({ producer, topic: "unused" }),
      kafkaProducer: producer,
    });
    const alerts = sampleAlerts(30);
    for (const a of alerts) sink!.enqueue(a);
    expect(await sink!.flush(30_000)).toBe(true);
    const messages = await readAll(topic, 30);
    const byKey = new Map(messages.map((m) => [m.key?.toString(), m]));
    for (const alert of alerts) {
      const m = byKey.get(alert.id);
      expect(m, alert.id).toBeDefined();
      expect(JSON.parse(m!.value!.toString()) as Alert).toEqual(alert);
      expect(header(m!, "tracewatch.type")).toBe("latency_spike");
    }
    await sink!.shutdown();
  });
});

describe("webhook sink with a receiver that is down the whole time", () => {
  it("puts every alert in the dead-letter topic with the reason and last error", async () => {
    const dlq = await createTestTopic("tw-dlq", 1);
    topics.push(dlq);
    const port = await closedPort();
    const [sink] = createSinks(
      [
        {
          type: "webhook",
          name: "down",
          url: `http://127.0.0.1:${port}/hook?key=query-secret-123`,
          secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
          timeout: 500,
          retries: 3,
          backoff_initial: 10,
          backoff_max: 50,
          breaker_failures: 5,
          breaker_open: 100,
          max_delivery_time: 3_000,
        },
      ],
      {
        clock: systemClock,
        logger: silentLogger,
        deadLetters: new KafkaDeadLetterWriter({ producer, topic: dlq }),
      },
    );
    const alerts = sampleAlerts(50);
    for (const a of alerts) sink!.enqueue(a);
    expect(await sink!.flush(30_000)).toBe(true);
    const letters = await readAll(dlq, 50);
    expect(letters.map((m) => m.key?.toString()).sort()).toEqual(alerts.map((a) => a.id).sort());
    for (const m of letters) {
      expect(["retries_exhausted", "expired"]).toContain(header(m, "tracewatch.dlq.reason"));
      expect(header(m, "tracewatch.dlq.error")).toMatch(/ECONNREFUSED|circuit open/);
      expect(header(m, "tracewatch.dlq.sink")).toBe("down");
      expect(JSON.stringify(m.headers)).not.toContain("query-secret-123");
      expect((JSON.parse(m.value!.toString()) as Alert).id).toBe(m.key?.toString());
      expect(m.value!.toString()).not.toContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    }
    await sink!.shutdown();
  });
});
