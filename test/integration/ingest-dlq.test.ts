import { afterAll, describe, expect, it } from "vitest";
import { syntheticSpans } from "../../src/bench/ingest-data.js";
import type { Span } from "../../src/domain/span.js";
import type { CompletedTrace } from "../../src/domain/trace.js";
import { encodeOtlpProto } from "../../src/otlp/index.js";
import { createTestKafka, createTestTopic, deleteTopics } from "../helpers/kafka.js";
import {
  deliveries,
  produceAll,
  readMessages,
  testConsumer,
  traceMessages,
  waitFor,
} from "./ingest-support.js";

const topics: string[] = [];
afterAll(() => deleteTopics(topics));

const valid: Span = syntheticSpans({ traces: 1, spansPerTrace: 1, seed: 99 })[0]!;
const good = Buffer.from(encodeOtlpProto([valid]));

/** The malformed kinds of the issue, with the code each must be dead-lettered with. */
const MALFORMED: Array<[string, () => Buffer, string]> = [
  ["garbage bytes", () => Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), "TW_DECODE_FAILED"],
  ["truncated protobuf", () => good.subarray(0, good.length - 5), "TW_DECODE_FAILED"],
  ["invalid JSON", () => Buffer.from('{"traceId": "abc", '), "TW_DECODE_FAILED"],
  ["missing trace id", () => Buffer.from(encodeOtlpProto([{ ...valid, traceId: "" }])), "TW_SPAN_INVALID"],
  [
    "invalid span id",
    () =>
      Buffer.from(JSON.stringify({ ...valid, spanId: "zz", startTimeUnixNano: "1", endTimeUnixNano: "2" })),
    "TW_SPAN_INVALID",
  ],
  [
    "end before start",
    () => Buffer.from(encodeOtlpProto([{ ...valid, endTimeUnixNano: valid.startTimeUnixNano - 1n }])),
    "TW_SPAN_INVALID",
  ],
  ["oversize", () => Buffer.alloc(70_000, 0x0a), "TW_MESSAGE_TOO_LARGE"],
];

describe("dead letters against a real broker", () => {
  it("dead-letters 1,000 malformed and 50 partly valid messages with reasons; every good trace completes", async () => {
    const topic = await createTestTopic("ingest-dlq", 3);
    const dlq = await createTestTopic("ingest-dlq-out", 1);
    topics.push(topic, dlq);
    const kafka = createTestKafka("ingest-dlq");
    const { expected, messages } = traceMessages(2_000, 21);
    const mixed: Array<{ key: string; value: Buffer; headers?: Record<string, string> }> = [];
    const expectedCodes = new Map<string, string>();
    messages.forEach((m, i) => {
      mixed.push(m);
      if (i % 4 === 0 && expectedCodes.size < 1_000) {
        const [, make, code] = MALFORMED[expectedCodes.size % MALFORMED.length]!;
        const id = `bad-${expectedCodes.size}`;
        expectedCodes.set(id, code);
        mixed.push({ key: id, value: make(), headers: { "test.id": id } });
      }
    });
    expect(expectedCodes.size).toBe(1_000);
    // 50 partly valid messages: a good trace's last part plus one span without a span id.
    const partialIds: string[] = [];
    for (let i = 0; i < mixed.length && partialIds.length < 50; i += 40) {
      const m = mixed[i]!;
      if (m.headers !== undefined) continue;
      const id = `partial-${partialIds.length}`;
      const broken = Buffer.from(encodeOtlpProto([{ ...valid, spanId: "" }]));
      // Two OTLP requests concatenated are one request whose resource_spans are both lists.
      mixed[i] = { key: m.key, value: Buffer.concat([m.value, broken]), headers: { "test.id": id } };
      expectedCodes.set(id, "TW_SPAN_INVALID");
      partialIds.push(id);
    }
    const producer = kafka.producer();
    await producer.connect();
    await produceAll(producer, topic, mixed);
    await producer.disconnect();

    const delivered: CompletedTrace[] = [];
    const { source } = testConsumer(kafka, topic, `${topic}-group`, delivered, {
      deadLetterTopic: dlq,
      maxMessageBytes: 64_000,
    });
    await source.start();
    try {
      await waitFor(() => delivered.length >= expected.size, 90_000, "good traces");
    } finally {
      await source.stop(5_000);
    }
    const seen = deliveries(delivered);
    for (const [traceId, count] of expected) expect(seen.get(traceId), traceId).toEqual([count]);

    const letters = await readMessages(kafka, dlq, 1_050, 1_000);
    expect(letters).toHaveLength(1_050);
    for (const letter of letters) {
      const h = (name: string) => letter.headers?.[name]?.toString();
      const id = h("test.id")!;
      expect(h("error.code"), id).toBe(expectedCodes.get(id));
      expect(h("error.message")?.length).toBeGreaterThan(0);
      expect(h("source.topic")).toBe(topic);
      expect(Number(h("source.partition"))).toBeGreaterThanOrEqual(0);
      expect(Number(h("source.offset"))).toBeGreaterThanOrEqual(0);
      if (id.startsWith("partial-")) {
        expect(h("error.spans")).toMatch(/^\d+$/);
        expect(h("error.message")).toMatch(/1 span\(s\) rejected, \d+ kept; span \d+: span id is missing/);
      } else {
        expect(letter.key?.toString()).toBe(id);
      }
    }
    const original = new Map(mixed.filter((m) => m.headers).map((m) => [m.headers!["test.id"], m.value]));
    for (const letter of letters) {
      expect(letter.value?.equals(original.get(letter.headers!["test.id"]!.toString())!)).toBe(true);
    }
  });
});
