import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CompletedTrace } from "../../src/domain/trace.js";
import { createTestKafka, createTestTopic, deleteTopics } from "../helpers/kafka.js";
import { testConsumer, waitFor } from "./ingest-support.js";

const topics: string[] = [];
afterAll(() => deleteTopics(topics));

// One Kafka message value written by the OpenTelemetry Collector's kafka exporter (fields in
// reverse order); see test/fixtures/otlp/README.md.
const message = readFileSync(
  join(import.meta.dirname, "../fixtures/otlp/otelcol-kafka-otlp_proto-message.bin"),
);

describe("Kafka span source reading what the OpenTelemetry Collector writes", () => {
  it("assembles the Collector's spans under their resource's service name", async () => {
    const topic = await createTestTopic("collector-proto", 1);
    topics.push(topic, `${topic}.dlq`);
    const kafka = createTestKafka("collector-proto");
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: "ccf139f37da10a78a04dbc22f305a65d", value: message }],
    });
    await producer.disconnect();

    const delivered: CompletedTrace[] = [];
    const { source } = testConsumer(kafka, topic, `${topic}-group`, delivered);
    await source.start();
    try {
      // The message holds no root span: the trace completes after the decision wait (3 s).
      await waitFor(() => delivered.length >= 1, 30_000, "the Collector's trace");
    } finally {
      await source.stop(5_000);
    }
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.traceId).toBe("ccf139f37da10a78a04dbc22f305a65d");
    expect(delivered[0]!.spans.map((s) => [s.service, s.name]).sort()).toEqual([
      ["inventory", "POST /reserve"],
      ["inventory", "UPDATE db"],
    ]);
  });
});
