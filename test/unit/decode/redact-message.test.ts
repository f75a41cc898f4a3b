import { createHash } from "node:crypto";
import { join } from "node:path";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { PROTO_DIR } from "../../../scripts/codegen-otlp.mjs";
import { decodeSpans } from "../../../src/decode/index.js";
import { MessageRedactor } from "../../../src/decode/redact-message.js";

const EMAIL = "alice.raw@example.com";
const SSN = "078-05-1120";
const sha = (text: string) => createHash("sha256").update(text).digest("hex");
const rules = new MessageRedactor({
  actions: [
    { action: "hash", key: "user.email" },
    { action: "delete", key: "user.ssn" },
  ],
});

function requestType(): protobuf.Type {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
  root.loadSync("opentelemetry/proto/collector/trace/v1/trace_service.proto", { keepCase: true });
  return root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");
}

const kv = (key: string, value: string) => ({ key, value: { string_value: value } });
const personal = [kv("user.email", EMAIL), kv("user.ssn", SSN), kv("http.route", "/pay")];

/** Every attribute list of OTLP, with personal data in each; the second span has a bad id. */
function protoMessage(type: protobuf.Type): Uint8Array {
  const span = (spanId: string) => ({
    trace_id: Buffer.from("0af7651916cd43dd8448eb211c80319c", "hex"),
    span_id: Buffer.from(spanId, "hex"),
    name: "checkout",
    start_time_unix_nano: "1767225600000000000",
    end_time_unix_nano: "1767225600500000000",
    attributes: personal,
    events: [{ name: "e", time_unix_nano: "1767225600100000000", attributes: personal }],
    links: [{ trace_id: Buffer.alloc(16, 1), span_id: Buffer.alloc(8, 2), attributes: personal }],
  });
  const message = type.fromObject({
    resource_spans: [
      {
        resource: { attributes: [kv("service.name", "shop"), ...personal] },
        scope_spans: [
          {
            scope: { name: "lib", attributes: personal },
            spans: [span("b7ad6b7169203331"), span("00")],
          },
        ],
      },
    ],
  });
  return type.encode(message).finish();
}

/** A span whose KeyValues have `value` before `key` (as the Collector writes them) and an unknown field. */
function reversedFieldsMessage(): Uint8Array {
  const ld = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag, body.length]), body]);
  const str = (tag: number, text: string) => ld(tag, Buffer.from(text, "utf8"));
  const keyValue = (key: string, value: string) =>
    ld(0x4a, Buffer.concat([ld(0x12, str(0x0a, value)), str(0x0a, key)]));
  const unknown = Buffer.from([0xf8, 0x3e, 0x07]); // field 999, varint 7
  const spanBody = Buffer.concat([
    keyValue("user.email", EMAIL),
    unknown,
    str(0x2a, "op"),
    ld(0x0a, Buffer.from("0af7651916cd43dd8448eb211c80319c", "hex")),
    ld(0x12, Buffer.from("b7ad6b7169203331", "hex")),
  ]);
  return ld(0x0a, ld(0x12, ld(0x12, spanBody)));
}

function attributesIn(tree: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(tree)) tree.forEach((t) => attributesIn(t, out));
  else if (typeof tree === "object" && tree !== null) {
    for (const [k, v] of Object.entries(tree)) {
      if (k === "attributes" && Array.isArray(v)) out.push(...(v as Record<string, unknown>[]));
      else attributesIn(v, out);
    }
  }
  return out;
}

describe("MessageRedactor", () => {
  it("hashes and deletes configured attributes in every OTLP protobuf attribute list, rejected spans included", () => {
    const type = requestType();
    const bytes = protoMessage(type);
    expect(decodeSpans(bytes).rejected).toHaveLength(1);
    const out = rules.redact(bytes, "otlp_proto");
    if (out.kind !== "redacted") throw new Error(out.kind);
    // 2 spans × (span, event, link) + resource + scope, each with one hashed and one deleted key.
    expect(out.redacted).toBe(2 * (2 * 3 + 2));
    const text = Buffer.from(out.bytes).toString("latin1");
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain(SSN);
    const decoded = type.toObject(type.decode(out.bytes), { longs: String, bytes: String });
    const attributes = attributesIn(decoded);
    expect(attributes.filter((a) => a.key === "user.email")).toHaveLength(8);
    for (const a of attributes.filter((a) => a.key === "user.email"))
      expect(a.value).toEqual({ string_value: sha(EMAIL) });
    expect(attributes.filter((a) => a.key === "user.ssn")).toEqual([]);
    expect(attributes.filter((a) => a.key === "http.route")).toHaveLength(8);
    // Everything else survives: the decoder reads the same spans from it.
    const before = decodeSpans(bytes, { attributes: { mode: "all" } });
    const after = decodeSpans(out.bytes, { attributes: { mode: "all" } });
    expect(after.rejected).toEqual(before.rejected);
    expect(after.spans.map((s) => ({ ...s, attributes: {} }))).toEqual(
      before.spans.map((s) => ({ ...s, attributes: {} })),
    );
    expect(after.spans[0]!.attributes).toEqual({ "user.email": sha(EMAIL), "http.route": "/pay" });
  });

  it("finds the key of a KeyValue written after its value and keeps unknown fields", () => {
    const bytes = reversedFieldsMessage();
    const out = rules.redact(bytes, "otlp_proto");
    if (out.kind !== "redacted") throw new Error(out.kind);
    expect(out.redacted).toBe(1);
    const raw = Buffer.from(out.bytes);
    expect(raw.toString("latin1")).not.toContain(EMAIL);
    expect(raw.toString("latin1")).toContain(sha(EMAIL));
    expect(raw.includes(Buffer.from([0xf8, 0x3e, 0x07]))).toBe(true);
  });

  it("redacts OTLP JSON attribute lists in camelCase and snake_case", () => {
    const message = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "user.email", value: { stringValue: EMAIL } }] },
          scope_spans: [
            {
              spans: [
                {
                  traceId: "not-hex",
                  attributes: [
                    { key: "user.ssn", value: { stringValue: SSN } },
                    { key: "user.email", value: { string_value: EMAIL } },
                    { key: "n", value: { intValue: "12" } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const out = rules.redact(Buffer.from(JSON.stringify(message)), "otlp_json");
    if (out.kind !== "redacted") throw new Error(out.kind);
    const text = Buffer.from(out.bytes).toString("utf8");
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain(SSN);
    const attrs = attributesIn(JSON.parse(text));
    expect(attrs).toEqual([
      { key: "user.email", value: { stringValue: sha(EMAIL) } },
      { key: "user.email", value: { stringValue: sha(EMAIL) } },
      { key: "n", value: { intValue: "12" } },
    ]);
  });

  it("redacts native JSON (object, array, NDJSON) and empties NDJSON lines that are not JSON", () => {
    const span = { traceId: "x", attributes: { "user.email": EMAIL, "user.ssn": SSN, keep: 1 } };
    const ndjson = [
      JSON.stringify(span),
      `{"attributes": {"user.email": "${EMAIL}"`,
      "",
      JSON.stringify(span),
    ].join("\n");
    for (const text of [JSON.stringify(span), JSON.stringify([span, span]), ndjson]) {
      const out = rules.redact(Buffer.from(text), "json");
      if (out.kind !== "redacted") throw new Error(out.kind);
      const result = Buffer.from(out.bytes).toString("utf8");
      expect(result).not.toContain(EMAIL);
      expect(result).not.toContain(SSN);
      expect(result).toContain(`{"user.email":"${sha(EMAIL)}","keep":1}`);
    }
    const out = rules.redact(Buffer.from(ndjson), "json");
    expect(out.kind === "redacted" && out.removedParts).toBe(1);
    expect(Buffer.from(out.bytes!).toString("utf8").split("\n")).toHaveLength(4);
  });

  it("keeps no payload of an undecodable message by default when rules are configured", () => {
    const bytes = Buffer.from(`{"user.email": "${EMAIL}" oops`);
    const out = rules.redact(bytes, "json");
    expect(out).toEqual({
      kind: "undecodable",
      bytes: null,
      size: bytes.length,
      sha256: sha(bytes.toString()),
    });
    expect(rules.redact(Buffer.from([0x0a, 0x40, 0x01]), "otlp_proto").kind).toBe("undecodable");
  });

  it("keeps undecodable bytes when told to, and everything as is without rules", () => {
    const bytes = Buffer.from(`{"user.email": "${EMAIL}" oops`);
    const keep = new MessageRedactor({
      actions: [{ action: "hash", key: "user.email" }],
      undecodable: "keep",
    });
    expect(keep.redact(bytes, "json")).toMatchObject({ kind: "undecodable", bytes });
    const none = new MessageRedactor();
    expect(none.undecodable).toBe("keep");
    expect(none.redact(bytes, "json")).toEqual({ kind: "redacted", bytes, redacted: 0, removedParts: 0 });
  });

  it("returns the original bytes when nothing matched", () => {
    const bytes = protoMessage(requestType());
    const other = new MessageRedactor({ actions: [{ action: "hash", key: "absent.key" }] });
    const out = other.redact(bytes, "otlp_proto");
    expect(out).toEqual({ kind: "redacted", bytes, redacted: 0, removedParts: 0 });
  });
});
