import { describe, expect, it } from "vitest";
import { syntheticSpans } from "../../../src/bench/ingest-data.js";
import {
  decodeSpans,
  describeRejection,
  detectEncoding,
  encodeNativeJson,
} from "../../../src/decode/index.js";
import type { Span } from "../../../src/domain/span.js";
import { encodeOtlpJson, encodeOtlpProto } from "../../../src/otlp/index.js";

const good = syntheticSpans({ traces: 2, spansPerTrace: 3, seed: 3 });
const proto = encodeOtlpProto(good);
const text = (s: string) => Buffer.from(s, "utf8");

const nativeSpan = {
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
  parentSpanId: null,
  service: "gateway",
  name: "GET /",
  kind: "SERVER",
  startTimeUnixNano: "1767225600000000000",
  endTimeUnixNano: "1767225600250000000",
  status: "UNSET",
  attributes: { "http.route": "/", n: 1 },
};

describe("whole-message failures", () => {
  it.each([
    [
      "garbage bytes",
      Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
      "TW_DECODE_FAILED",
      /invalid OTLP protobuf/,
    ],
    ["truncated protobuf", proto.subarray(0, proto.length - 7), "TW_DECODE_FAILED", /invalid OTLP protobuf/],
    [
      "random binary",
      Buffer.from([0x8f, 0x03, 0x01, 0x07, 0xfe]),
      "TW_DECODE_FAILED",
      /invalid OTLP protobuf/,
    ],
    ["invalid JSON", text('{"traceId": '), "TW_DECODE_FAILED", /invalid JSON/],
    ["empty message", Buffer.alloc(0), "TW_DECODE_FAILED", /empty/],
    ["JSON without spans", text("[]"), "TW_NO_SPANS", /no spans/],
    ["OTLP JSON with a wrong shape", text('{"resourceSpans": 5}'), "TW_DECODE_FAILED", /not an array/],
  ])("rejects %s as a whole", (_name, bytes, code, message) => {
    const result = decodeSpans(bytes);
    expect(result.spans).toEqual([]);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]?.code).toBe(code);
    expect(result.rejected[0]?.message).toMatch(message);
    expect(result.rejected[0]?.index).toBeUndefined();
  });

  it("rejects a message over the size limit without reading it", () => {
    const result = decodeSpans(proto, { maxMessageBytes: 100 });
    expect(result.rejected).toEqual([
      { code: "TW_MESSAGE_TOO_LARGE", message: expect.stringMatching(/limit is 100/) },
    ]);
  });
});

describe("invalid spans in a readable message", () => {
  it.each([
    ["a short trace id", { traceId: "abc" }, /trace id must be 32 hex/],
    ["an all-zero trace id", { traceId: "0".repeat(32) }, /all zeros/],
    ["a missing span id", { spanId: undefined }, /span id is missing/],
    ["an invalid parent id", { parentSpanId: "xyz" }, /parent span id/],
    ["an end before its start", { endTimeUnixNano: "1767225599000000000" }, /end time is before start time/],
    ["a float time", { startTimeUnixNano: 1.5 }, /not an unsigned integer/],
    ["an unknown kind", { kind: "SIDEWAYS" }, /not a span kind/],
    ["no service", { service: "" }, /service is missing/],
  ])("keeps the valid spans and rejects the one with %s, by index", (_name, change, message) => {
    const bad = { ...nativeSpan, spanId: "1111111111111111", ...change };
    const result = decodeSpans(text(JSON.stringify([nativeSpan, bad])));
    expect(result.spans.map((s) => s.spanId)).toEqual([nativeSpan.spanId]);
    expect(result.rejected).toEqual([
      { code: "TW_SPAN_INVALID", message: expect.stringMatching(message), index: 1 },
    ]);
  });

  it("rejects invalid protobuf spans by index and keeps the rest", () => {
    const spans = syntheticSpans({ traces: 1, spansPerTrace: 3, seed: 9 });
    const broken = [
      spans[0]!,
      { ...spans[1]!, endTimeUnixNano: spans[1]!.startTimeUnixNano - 1n },
      spans[2]!,
    ];
    const result = decodeSpans(encodeOtlpProto(broken));
    expect(result.spans.map((s) => s.spanId)).toEqual([spans[0]!.spanId, spans[2]!.spanId]);
    expect(result.rejected).toEqual([
      { code: "TW_SPAN_INVALID", message: "end time is before start time", index: 1 },
    ]);
  });
});

describe("encoding detection", () => {
  it.each([
    ["OTLP protobuf", proto, "otlp_proto"],
    ["OTLP JSON", encodeOtlpJson(good), "otlp_json"],
    ["native JSON array", encodeNativeJson(good), "json"],
    ["one native span", text(JSON.stringify(nativeSpan)), "json"],
  ] as const)("detects and reads %s", (_name, bytes, encoding) => {
    expect(detectEncoding(bytes)).toBe(encoding);
    const result = decodeSpans(bytes);
    expect(result.encoding).toBe(encoding);
    expect(result.rejected).toEqual([]);
    expect(result.spans.length).toBeGreaterThan(0);
  });

  it("reads NDJSON that starts with a newline and reports bad lines by their 1-based line number", () => {
    const lines = [
      "",
      JSON.stringify(nativeSpan),
      "{not json",
      JSON.stringify({ ...nativeSpan, spanId: "2222222222222222" }),
    ];
    const result = decodeSpans(text(lines.join("\n")));
    expect(result.encoding).toBe("json");
    expect(result.spans.map((s) => s.spanId)).toEqual([nativeSpan.spanId, "2222222222222222"]);
    expect(result.rejected).toEqual([
      { code: "TW_DECODE_FAILED", message: expect.stringMatching(/^invalid JSON/), index: 2, line: 3 },
    ]);
    expect(result.rejected.map(describeRejection)).toEqual([expect.stringMatching(/^line 3: invalid JSON/)]);
  });

  it("keeps nanosecond times above 2^53 exact when sent as bare JSON integers", () => {
    const raw = JSON.stringify(nativeSpan)
      .replace('"1767225600000000000"', "1767225600000000001")
      .replace('"1767225600250000000"', "1767225600250000003");
    const [span] = decodeSpans(text(raw)).spans;
    expect(span?.startTimeUnixNano).toBe(1_767_225_600_000_000_001n);
    expect(span?.endTimeUnixNano).toBe(1_767_225_600_250_000_003n);
  });

  it("honours a configured encoding instead of detecting", () => {
    const result = decodeSpans(encodeNativeJson(good), { encoding: "otlp_json" });
    expect(result.rejected[0]?.code).toBe("TW_DECODE_FAILED");
  });
});

describe("attribute retention", () => {
  const spans = syntheticSpans({ traces: 1, spansPerTrace: 3, seed: 5 });
  const [root, plain] = [spans[0]!, spans[1]!];
  const error: Span = { ...spans[2]!, status: "ERROR" };
  it.each([
    ["all", [], [7, 7, 7]],
    ["none", [], [0, 0, 0]],
    ["root_and_error", [], [7, 0, 7]],
    ["root_and_error", ["http.route"], [7, 1, 7]],
    ["none", ["http.route", "region"], [1, 1, 1]],
  ] as const)(
    "mode %s with keys %j keeps %j attributes on root, plain and error spans",
    (mode, keys, counts) => {
      for (const encode of [encodeOtlpProto, encodeOtlpJson, encodeNativeJson]) {
        const result = decodeSpans(encode([root, plain, error]), { attributes: { mode, keys } });
        expect(result.spans.map((s) => Object.keys(s.attributes).length)).toEqual(counts);
      }
      expect(error.status).toBe("ERROR");
    },
  );

  it("shares service and operation name strings between spans", () => {
    const a = decodeSpans(encodeOtlpProto(good)).spans;
    const b = decodeSpans(encodeOtlpProto(good)).spans;
    expect(a[0]!.name).toBe(b[0]!.name);
    expect(a.filter((s) => s.traceId === a[0]!.traceId).every((s) => s.traceId === a[0]!.traceId)).toBe(true);
  });
});
