import protobuf from "protobufjs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROTO_DIR } from "../../../scripts/codegen-otlp.mjs";
import { syntheticSpans } from "../../../src/bench/ingest-data.js";
import { decodeSpans } from "../../../src/decode/index.js";
import type { Span } from "../../../src/domain/span.js";
import { encodeOtlpJson, encodeOtlpProto } from "../../../src/otlp/index.js";

const ALL = { attributes: { mode: "all" as const } };

function loadRequestType(): protobuf.Type {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
  root.loadSync("opentelemetry/proto/collector/trace/v1/trace_service.proto", { keepCase: true });
  return root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");
}

const spans: Span[] = [
  // The last span of the first and the third trace fails.
  ...syntheticSpans({ traces: 3, spansPerTrace: 4, seed: 7 }).map((s, i): Span =>
    i === 3 || i === 11 ? { ...s, status: "ERROR" } : s,
  ),
  {
    traceId: "0123456789abcdef0123456789abcdef",
    spanId: "89abcdef01234567",
    parentSpanId: null,
    service: "ünïcode-svc",
    name: "名前",
    kind: "UNSPECIFIED",
    startTimeUnixNano: 18_446_744_073_709_551_000n,
    endTimeUnixNano: 18_446_744_073_709_551_615n,
    status: "OK",
    attributes: { neg: -5, big: "-9223372036854775808", f: 1.5, nothing: null, list: [1, "x", true] },
  },
];

describe("OTLP protobuf encode and decode", () => {
  it.each([
    ["otlp_proto", encodeOtlpProto],
    ["otlp_json", encodeOtlpJson],
  ] as const)("round-trips every span field through %s", (encoding, encode) => {
    const result = decodeSpans(encode(spans), ALL);
    expect(result.encoding).toBe(encoding);
    expect(result.rejected).toEqual([]);
    const sort = (list: Span[]) => [...list].sort((a, b) => a.spanId.localeCompare(b.spanId));
    const expected = sort(spans).map((s) =>
      s.spanId === "89abcdef01234567"
        ? { ...s, attributes: { ...s.attributes, big: "-9223372036854775808" } }
        : s,
    );
    expect(sort(result.spans)).toEqual(expected);
  });

  it("agrees with protobufjs reading the vendored .proto files", () => {
    const type = loadRequestType();
    const bytes = encodeOtlpProto(spans);
    const viaProtobufjs = type.toObject(type.decode(bytes), { longs: String, bytes: String }) as {
      resource_spans: Array<{ scope_spans: Array<{ spans: Array<Record<string, unknown>> }> }>;
    };
    const theirs = viaProtobufjs.resource_spans.flatMap((rs) => rs.scope_spans.flatMap((ss) => ss.spans));
    const ours = decodeSpans(bytes, ALL).spans;
    expect(theirs).toHaveLength(ours.length);
    theirs.forEach((t, i) => {
      const o = ours[i]!;
      expect(Buffer.from(t.trace_id as string, "base64").toString("hex")).toBe(o.traceId);
      expect(Buffer.from(t.span_id as string, "base64").toString("hex")).toBe(o.spanId);
      expect(t.name).toBe(o.name);
      expect(String(t.start_time_unix_nano)).toBe(o.startTimeUnixNano.toString());
      expect(String(t.end_time_unix_nano)).toBe(o.endTimeUnixNano.toString());
      expect(t.kind ?? 0).toBe(
        ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"].indexOf(o.kind),
      );
    });
  });

  it("decodes bytes written by protobufjs from the vendored .proto files", () => {
    const type = loadRequestType();
    const message = type.fromObject({
      resource_spans: [
        {
          resource: { attributes: [{ key: "service.name", value: { string_value: "pjs" } }] },
          scope_spans: [
            {
              spans: [
                {
                  trace_id: Buffer.from("00000000000000000000000000000abc", "hex"),
                  span_id: Buffer.from("0000000000000def", "hex"),
                  name: "op",
                  kind: 2,
                  start_time_unix_nano: "1767225600000000001",
                  end_time_unix_nano: "1767225600000000002",
                  status: { code: 2, message: "boom" },
                  attributes: [{ key: "n", value: { int_value: "-3" } }],
                },
              ],
            },
          ],
        },
      ],
    });
    const result = decodeSpans(type.encode(message).finish(), ALL);
    expect(result.spans).toEqual([
      {
        traceId: "00000000000000000000000000000abc",
        spanId: "0000000000000def",
        parentSpanId: null,
        service: "pjs",
        name: "op",
        kind: "SERVER",
        startTimeUnixNano: 1_767_225_600_000_000_001n,
        endTimeUnixNano: 1_767_225_600_000_000_002n,
        status: "ERROR",
        attributes: { n: -3 },
      },
    ]);
  });
});
