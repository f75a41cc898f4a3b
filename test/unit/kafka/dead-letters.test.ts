import type { Producer, ProducerRecord } from "kafkajs";
import { describe, expect, it } from "vitest";
import { PartitionOffsets, noopLogger } from "../../../src/core/assembler/index.js";
import { decodeSpans, nativeJsonSpan, type DecodeResult } from "../../../src/decode/index.js";
import { MessageRedactor } from "../../../src/decode/redact-message.js";
import type { Span } from "../../../src/domain/span.js";
import { encodeOtlpJson, encodeOtlpProto } from "../../../src/otlp/index.js";
import { DeadLetterWriter, describeRejections, noopSourceMetrics } from "../../../src/kafka/index.js";
import { checkoutSpan } from "../../helpers/checkout-span.js";

function fakeProducer(failures = 0) {
  const sent: ProducerRecord[] = [];
  let left = failures;
  const producer = {
    send: async (record: ProducerRecord) => {
      if (left-- > 0) throw new Error("broker unavailable");
      sent.push(record);
      return [];
    },
  } as unknown as Producer;
  return { producer, sent };
}

const whole: DecodeResult = {
  spans: [],
  rejected: [{ code: "TW_DECODE_FAILED", message: "invalid OTLP protobuf: message is truncated at byte 7" }],
  encoding: "otlp_proto",
};
const partial = {
  spans: [{}, {}],
  rejected: [
    { code: "TW_SPAN_INVALID", message: "span id is missing", index: 1 },
    { code: "TW_SPAN_INVALID", message: "end time is before start time", index: 3 },
  ],
  encoding: "otlp_json",
} as unknown as DecodeResult;

describe("dead-letter records", () => {
  it.each([
    ["a whole-message failure", whole, "invalid OTLP protobuf: message is truncated at byte 7", undefined],
    [
      "a partly valid message",
      partial,
      "2 span(s) rejected, 2 kept; span 1: span id is missing; span 3: end time is before start time",
      "1,3",
    ],
  ])("describe %s with its reason and rejected spans", async (_name, result, message, spans) => {
    const { producer, sent } = fakeProducer();
    const writer = new DeadLetterWriter(producer, "dlq", noopSourceMetrics, noopLogger);
    const offsets = new PartitionOffsets();
    const ack = offsets.begin("41");
    writer.add(
      { key: Buffer.from("k"), value: Buffer.from("raw"), headers: { origin: "sim" } },
      result,
      { topic: "spans", partition: 2, offset: "41" },
      ack,
    );
    ack.seal();
    expect(describeRejections(result)).toBe(message);
    expect(offsets.pendingCommit()).toBeNull();
    expect(await writer.flush()).toBe(true);
    expect(offsets.pendingCommit()).toBe("42");
    const record = sent[0]!.messages[0]!;
    expect(sent[0]!.topic).toBe("dlq");
    expect(record.key?.toString()).toBe("k");
    expect(record.value?.toString()).toBe("raw");
    expect(record.headers).toEqual({
      origin: "sim",
      "error.code": result.rejected[0]!.code,
      "error.message": message,
      "source.topic": "spans",
      "source.partition": "2",
      "source.offset": "41",
      ...(spans === undefined ? {} : { "error.spans": spans }),
    });
  });

  it("keeps a record and its message unacknowledged until a write succeeds", async () => {
    const { producer, sent } = fakeProducer(1);
    const writer = new DeadLetterWriter(producer, "dlq", noopSourceMetrics, noopLogger);
    const offsets = new PartitionOffsets();
    const ack = offsets.begin("0");
    writer.add({ key: null, value: null }, whole, { topic: "t", partition: 0, offset: "0" }, ack);
    ack.seal();
    expect(await writer.flush()).toBe(false);
    expect(writer.pending).toBe(1);
    expect(offsets.pendingCommit()).toBeNull();
    expect(await writer.flush()).toBe(true);
    expect(sent).toHaveLength(1);
    expect(offsets.pendingCommit()).toBe("1");
  });

  it("shortens a very long rejection list", () => {
    const many = {
      spans: [],
      rejected: Array.from({ length: 500 }, (_, i) => ({
        code: "TW_SPAN_INVALID",
        message: "trace id is missing",
        index: i,
      })),
      encoding: "json",
    } as DecodeResult;
    const text = describeRejections(many);
    expect(text.length).toBeLessThanOrEqual(1_000);
    expect(text.startsWith("500 span(s) rejected, 0 kept; span 0: trace id is missing")).toBe(true);
  });

  describe("with redaction rules", () => {
    const EMAIL = "bob.raw@example.com";
    const span = (spanId: string): Span =>
      checkoutSpan("0af7651916cd43dd8448eb211c80319c", spanId, { "user.email": EMAIL, "http.route": "/pay" });
    // A bad span id makes the decoder reject that span; its attributes are still redacted.
    const bad = span("zz".repeat(8));
    const messages: [string, Buffer][] = [
      ["OTLP protobuf", Buffer.from(encodeOtlpProto([span("b7ad6b7169203331"), { ...bad, spanId: "00" }]))],
      ["OTLP JSON", Buffer.from(encodeOtlpJson([span("b7ad6b7169203331"), bad]))],
      [
        "native JSON",
        Buffer.from(JSON.stringify([nativeJsonSpan(span("b7ad6b7169203331")), nativeJsonSpan(bad)])),
      ],
      [
        "native NDJSON with a broken line",
        Buffer.from(`{"attributes":{"user.email":"${EMAIL}"}}\n{"user.email": ${EMAIL}`),
      ],
      ["broken JSON", Buffer.from(`{"attributes": {"user.email": ${EMAIL}}}`)],
      [
        "broken protobuf",
        Buffer.concat([Buffer.from(encodeOtlpProto([span("b7ad6b7169203331")])).subarray(0, 60)]),
      ],
    ];

    it.each(messages)("writes no raw configured value of %s (value or headers)", async (_name, value) => {
      const { producer, sent } = fakeProducer();
      const redactor = new MessageRedactor({ actions: [{ action: "hash", key: "user.email" }] });
      const writer = new DeadLetterWriter(producer, "dlq", noopSourceMetrics, noopLogger, redactor);
      const result = decodeSpans(value);
      expect(result.rejected.length).toBeGreaterThan(0);
      writer.add(
        { key: null, value },
        result,
        { topic: "t", partition: 0, offset: "0" },
        new PartitionOffsets().begin("0"),
      );
      expect(await writer.flush()).toBe(true);
      const record = sent[0]!.messages[0]!;
      const everything = [String(record.value), ...Object.values(record.headers ?? {}).map(String)].join(
        "\n",
      );
      expect(everything).not.toContain(EMAIL);
      expect(everything).not.toContain("bob.raw");
    });

    it("withholds a message the decoder could not read at all, even when it is valid JSON", async () => {
      const { producer, sent } = fakeProducer();
      const redactor = new MessageRedactor({ actions: [{ action: "hash", key: "user.email" }] });
      const writer = new DeadLetterWriter(producer, "dlq", noopSourceMetrics, noopLogger, redactor);
      const value = Buffer.from(JSON.stringify({ resourceSpans: "none", contact: EMAIL }));
      const result = decodeSpans(value);
      expect(result.rejected).toEqual([expect.objectContaining({ code: "TW_DECODE_FAILED" })]);
      const ack = new PartitionOffsets().begin("0");
      writer.add({ key: null, value }, result, { topic: "t", partition: 0, offset: "0" }, ack);
      await writer.flush();
      const record = sent[0]!.messages[0]!;
      expect(record.value).toEqual(Buffer.alloc(0));
      expect(record.headers?.["payload.undecodable"]).toBe("removed");
    });

    it("keeps metadata of an undecodable message: size and SHA-256, no value", async () => {
      const { producer, sent } = fakeProducer();
      const redactor = new MessageRedactor({ actions: [{ action: "delete", key: "user.email" }] });
      const writer = new DeadLetterWriter(producer, "dlq", noopSourceMetrics, noopLogger, redactor);
      const value = Buffer.from(`{"user.email": ${EMAIL}}`);
      writer.add(
        { key: null, value },
        decodeSpans(value),
        { topic: "t", partition: 0, offset: "0" },
        new PartitionOffsets().begin("0"),
      );
      await writer.flush();
      const record = sent[0]!.messages[0]!;
      expect(record.value).toEqual(Buffer.alloc(0));
      expect(record.headers).toMatchObject({
        "payload.undecodable": "removed",
        "payload.size": String(value.length),
        "error.code": "TW_DECODE_FAILED",
      });
      expect(String(record.headers!["payload.sha256"])).toMatch(/^[0-9a-f]{64}$/);
    });
  });
});
