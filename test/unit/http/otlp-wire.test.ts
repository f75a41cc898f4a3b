import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { describe, expect, it } from "vitest";
import { encodeExportResponse, encodeStatus } from "../../../src/http/otlp-wire.js";

describe("encodeExportResponse", () => {
  it.each([
    [{ rejectedSpans: 3, errorMessage: "span 2: invalid trace id" }],
    [{ rejectedSpans: 300, errorMessage: "" }],
    [{ rejectedSpans: 0, errorMessage: "duplicate spans were dropped" }],
    [{ rejectedSpans: 2 ** 40, errorMessage: "ünïcödé ✓" }],
  ])("round-trips partial success %j through the OpenTelemetry protobuf deserializer", (partial) => {
    const decoded = ProtobufTraceSerializer.deserializeResponse(encodeExportResponse(partial, "protobuf"));
    expect(Number(decoded.partialSuccess?.rejectedSpans ?? 0)).toBe(partial.rejectedSpans);
    expect(decoded.partialSuccess?.errorMessage ?? "").toBe(partial.errorMessage);
  });

  it("encodes a partial success byte for byte", () => {
    // field 1 (len 5) { field 1 varint 3, field 2 "ab" }
    expect([...encodeExportResponse({ rejectedSpans: 3, errorMessage: "ab" }, "protobuf")]).toEqual([
      0x0a, 0x06, 0x08, 0x03, 0x12, 0x02, 0x61, 0x62,
    ]);
  });

  it.each([
    [0, [0x00]],
    [1, [0x01]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [2 ** 31, [0x80, 0x80, 0x80, 0x80, 0x08]],
    [2 ** 53 - 1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]],
  ])("writes a rejected span count of %d as its varint", (value, bytes) => {
    const encoded = [...encodeExportResponse({ rejectedSpans: value, errorMessage: "" }, "protobuf")];
    // ExportTraceServiceResponse.partial_success (tag 0x0a, length), then rejected_spans (tag 0x08)
    const body = value === 0 ? [] : [0x08, ...bytes];
    expect(encoded).toEqual(value === 0 ? [] : [0x0a, body.length, ...body]);
  });

  it.each([1.5, 2 ** 53])("refuses a rejected span count of %d", (value) => {
    expect(() => encodeExportResponse({ rejectedSpans: value, errorMessage: "" }, "protobuf")).toThrow(
      RangeError,
    );
  });

  it("writes no rejected span count below one", () => {
    expect(encodeExportResponse({ rejectedSpans: -1, errorMessage: "" }, "protobuf")).toHaveLength(0);
    expect([...encodeExportResponse({ rejectedSpans: -1, errorMessage: "a" }, "protobuf")]).toEqual([
      0x0a, 0x03, 0x12, 0x01, 0x61,
    ]);
  });

  it("is empty (no partial_success) on full success", () => {
    expect(encodeExportResponse(null, "protobuf")).toHaveLength(0);
    expect(encodeExportResponse({ rejectedSpans: 0, errorMessage: "" }, "protobuf")).toHaveLength(0);
    expect(Buffer.from(encodeExportResponse(null, "json")).toString()).toBe("{}");
  });

  it("writes the OTLP JSON mapping that the OpenTelemetry JSON deserializer reads", () => {
    const bytes = encodeExportResponse({ rejectedSpans: 7, errorMessage: "bad span" }, "json");
    expect(JSON.parse(Buffer.from(bytes).toString())).toEqual({
      partialSuccess: { rejectedSpans: "7", errorMessage: "bad span" },
    });
    const decoded = JsonTraceSerializer.deserializeResponse(bytes);
    expect(Number(decoded.partialSuccess?.rejectedSpans)).toBe(7);
  });
});

describe("encodeStatus", () => {
  it("encodes google.rpc.Status code and message", () => {
    expect([...encodeStatus(3, "bad", "protobuf")]).toEqual([0x08, 0x03, 0x12, 0x03, 0x62, 0x61, 0x64]);
    expect(JSON.parse(Buffer.from(encodeStatus(14, "later", "json")).toString())).toEqual({
      code: 14,
      message: "later",
    });
  });
});
