import fc from "fast-check";
import protobuf from "protobufjs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROTO_DIR } from "../../../scripts/codegen-otlp.mjs";
import { decodeSpans, type DecodeOptions, type Rejection } from "../../../src/decode/index.js";
import type { AttributeValue, Span } from "../../../src/domain/span.js";
import {
  CANONICAL,
  encodeRequest,
  type AnyValueM,
  type KeyValueM,
  type RequestM,
  type ScrambleOptions,
  type SpanM,
  type Str,
} from "../../helpers/otlp-proto-model.js";

/*
 * Differential test of the OTLP protobuf decoder against protobufjs reading the vendored .proto
 * files. Random valid requests are written scrambled (fields shuffled, scalars repeated, message
 * fields split into merging occurrences, unknown fields of every wire type inserted); tracewatch
 * must read them exactly as protobufjs reads the same request, mapped to tracewatch's spans.
 * protobufjs itself replaces a repeated message field instead of merging it (the spec merges),
 * so for a request written with merges the reference is protobufjs reading its canonical bytes.
 */

const RUNS = 10_000;
// A failure prints this seed, the path and the shrunk counterexample: pass them to fc.assert to replay.
const SEED = Number(process.env.OTLP_FUZZ_SEED ?? 20261204);

function requestType(): protobuf.Type {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
  root.loadSync("opentelemetry/proto/collector/trace/v1/trace_service.proto", { keepCase: true });
  return root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");
}
const RequestType = requestType();

// --- the reference: protobufjs's decoded object mapped to tracewatch's spans ------------------

type Obj = Record<string, unknown>;
const objects = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const byteLength = (v: unknown): number => (v instanceof Uint8Array ? v.length : 0);
const hex = (v: unknown): string => Buffer.from(v as Uint8Array).toString("hex");
const isZero = (v: unknown): boolean => (v as Uint8Array).every((b) => b === 0);
const KINDS = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"] as const;
const STATUSES = ["UNSET", "OK", "ERROR"] as const;

function refAnyValue(v: Obj | undefined): AttributeValue {
  if (v === undefined) return null;
  if ("string_value" in v) return v.string_value as string;
  if ("bool_value" in v) return v.bool_value as boolean;
  if ("int_value" in v) {
    const n = Number(v.int_value as string);
    return Number.isSafeInteger(n) ? n : (v.int_value as string);
  }
  if ("double_value" in v) return v.double_value as number;
  if ("array_value" in v) return objects((v.array_value as Obj).values).map(refAnyValue);
  if ("kvlist_value" in v) return JSON.stringify(refAttributes(objects((v.kvlist_value as Obj).values)));
  if ("bytes_value" in v) return Buffer.from(v.bytes_value as Uint8Array).toString("base64");
  return null;
}

/** Attributes as a map: a later KeyValue with the same key wins; an absent key is "". */
function refAttributes(list: Obj[]): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of list) out[(kv.key as string | undefined) ?? ""] = refAnyValue(kv.value as Obj | undefined);
  return out;
}

function refIdProblem(s: Obj): string | null {
  const t = byteLength(s.trace_id);
  if (t === 0) return "trace id is missing";
  if (t !== 16) return `trace id must be 16 bytes, got ${t}`;
  if (isZero(s.trace_id)) return "trace id is all zeros";
  const id = byteLength(s.span_id);
  if (id === 0) return "span id is missing";
  if (id !== 8) return `span id must be 8 bytes, got ${id}`;
  if (isZero(s.span_id)) return "span id is all zeros";
  const p = byteLength(s.parent_span_id);
  if (p !== 0 && p !== 8) return `parent span id must be empty or 8 bytes, got ${p}`;
  return null;
}

interface Policy {
  readonly options: DecodeOptions;
  readonly keepAll: (isRoot: boolean, isError: boolean) => boolean;
  readonly keys: readonly string[];
}

function refSpan(s: Obj, service: string, policy: Policy): Span | string {
  const problem = refIdProblem(s);
  if (problem !== null) return problem;
  const start = BigInt((s.start_time_unix_nano as string | undefined) ?? "0");
  const end = BigInt((s.end_time_unix_nano as string | undefined) ?? "0");
  if (start <= 0n) return "start time is missing";
  if (end < start) return "end time is before start time";
  const isRoot = byteLength(s.parent_span_id) === 0 || isZero(s.parent_span_id);
  const code = ((s.status as Obj | undefined)?.code as number | undefined) ?? 0;
  const all = refAttributes(objects(s.attributes));
  const keep = policy.keepAll(isRoot, code === 2);
  const attributes = Object.fromEntries(
    Object.entries(all).filter(([key]) => keep || policy.keys.includes(key)),
  );
  return {
    traceId: hex(s.trace_id),
    spanId: hex(s.span_id),
    parentSpanId: isRoot ? null : hex(s.parent_span_id),
    service,
    name: (s.name as string | undefined) ?? "",
    kind: KINDS[(s.kind as number | undefined) ?? 0] ?? "UNSPECIFIED",
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    status: STATUSES[code] ?? "UNSET",
    attributes,
  };
}

/** What decoding `bytes` gives; `sent` is the message as written (its emptiness counts). */
function reference(bytes: Buffer, sent: Buffer, policy: Policy): { spans: Span[]; rejected: Rejection[] } {
  const decoded = RequestType.decode(bytes);
  const request = RequestType.toObject(decoded, { longs: String }) as Obj;
  const spans: Span[] = [];
  const rejected: Rejection[] = [];
  let index = 0;
  for (const rs of objects(request.resource_spans)) {
    const name = refAttributes(objects((rs.resource as Obj | undefined)?.attributes))["service.name"];
    const service =
      typeof name === "string" && name !== "" ? name : (policy.options.defaultService ?? "unknown_service");
    for (const ss of objects(rs.scope_spans)) {
      for (const s of objects(ss.spans)) {
        const span = refSpan(s, service, policy);
        if (typeof span === "string") rejected.push({ code: "TW_SPAN_INVALID", message: span, index });
        else spans.push(span);
        index++;
      }
    }
  }
  if (sent.length === 0)
    return { spans: [], rejected: [{ code: "TW_DECODE_FAILED", message: "message is empty" }] };
  if (spans.length === 0 && rejected.length === 0) {
    return { spans, rejected: [{ code: "TW_NO_SPANS", message: "message contains no spans" }] };
  }
  return { spans, rejected };
}

const POLICIES: readonly Policy[] = [
  { options: { attributes: { mode: "all" } }, keepAll: () => true, keys: [] },
  { options: {}, keepAll: (root, error) => root || error, keys: [] },
  {
    options: { attributes: { mode: "none", keys: ["k1", "", "service.name"] }, defaultService: "fallback" },
    keepAll: () => false,
    keys: ["k1", "", "service.name"],
  },
  {
    options: { attributes: { mode: "root_and_error", keys: ["k2"] } },
    keepAll: (root, error) => root || error,
    keys: ["k2"],
  },
];

// --- random requests ---------------------------------------------------------------------------

const opt = <T>(arb: fc.Arbitrary<T>, freq = 6) => fc.option(arb, { nil: undefined, freq });
const bytesOf = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

const strArb: fc.Arbitrary<Str> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom("", "GET /cart", "k1", "k2", "service.name", "ünïcode", "名前") },
  { weight: 3, arbitrary: fc.string({ maxLength: 10, unit: "grapheme" }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 6 }) }, // raw bytes, mostly invalid UTF-8
);
const keyArb: fc.Arbitrary<Str> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("k1", "k2", "k3", "service.name", "", "ключ") },
  { weight: 1, arbitrary: strArb },
);

const { keyValue } = fc.letrec<{ anyValue: AnyValueM; keyValue: KeyValueM }>((tie) => ({
  anyValue: fc.oneof(
    { maxDepth: 3, depthSize: "small" },
    strArb.map((v): AnyValueM => ({ kind: "string", v })),
    fc.constant<AnyValueM>({ kind: "none" }),
    fc.boolean().map((v): AnyValueM => ({ kind: "bool", v })),
    fc
      .oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: -1000n, max: 1000n }))
      .map((v): AnyValueM => ({ kind: "int", v })),
    fc.double().map((v): AnyValueM => ({ kind: "double", v })),
    fc.uint8Array({ maxLength: 8 }).map((v): AnyValueM => ({ kind: "bytes", v })),
    fc.array(tie("anyValue"), { maxLength: 3 }).map((v): AnyValueM => ({ kind: "array", v })),
    fc.array(tie("keyValue"), { maxLength: 3 }).map((v): AnyValueM => ({ kind: "kvlist", v })),
  ),
  keyValue: fc.record({ key: opt(keyArb, 10), value: opt(tie("anyValue"), 10) }),
}));
const attributesArb = fc.array(keyValue, { maxLength: 4 });

const TRACE_A = Uint8Array.from(Buffer.from("0af7651916cd43dd8448eb211c80319c", "hex"));
const idArb = (n: number, shared: Uint8Array[]) =>
  fc.oneof(
    { weight: 10, arbitrary: bytesOf(n) },
    { weight: 4, arbitrary: fc.constantFrom(...shared) },
    { weight: 1, arbitrary: fc.constant(new Uint8Array(n)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }) },
  );
const timeArb = fc.oneof(
  { weight: 6, arbitrary: fc.bigInt({ min: 1_700_000_000_000_000_000n, max: 1_900_000_000_000_000_000n }) },
  { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) },
);

const spanArb: fc.Arbitrary<SpanM> = fc
  .record({
    trace_id: opt(idArb(16, [TRACE_A]), 20),
    span_id: opt(idArb(8, [Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)]), 20),
    trace_state: opt(strArb),
    parent_span_id: opt(idArb(8, [Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)]), 3),
    name: opt(strArb, 10),
    kind: opt(fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 5 }) }, fc.integer()), 10),
    start: opt(timeArb, 20),
    duration: fc.oneof({ weight: 8, arbitrary: fc.bigInt({ min: 0n, max: 10n ** 10n }) }, fc.constant(-1n)),
    attributes: attributesArb,
    dropped_attributes_count: opt(fc.nat()),
    events: fc.array(fc.record({ time: opt(timeArb), name: opt(strArb), attributes: attributesArb }), {
      maxLength: 1,
    }),
    links: fc.array(
      fc.record({
        trace_id: opt(bytesOf(16)),
        span_id: opt(bytesOf(8)),
        attributes: attributesArb,
        flags: opt(fc.nat()),
      }),
      { maxLength: 1 },
    ),
    status: opt(fc.record({ message: opt(strArb), code: opt(fc.integer({ min: -1, max: 4 })) }), 3),
    flags: opt(fc.nat()),
  })
  .map(({ duration, ...s }): SpanM => {
    const end = s.start === undefined ? undefined : BigInt.asUintN(64, s.start + duration);
    return { ...s, end };
  });

const requestArb: fc.Arbitrary<RequestM> = fc.record({
  resource_spans: fc.array(
    fc.record({
      resource: opt(
        fc.record({
          attributes: fc.array(
            fc.oneof(
              keyValue,
              strArb.map((v): KeyValueM => ({ key: "service.name", value: { kind: "string", v } })),
            ),
            { maxLength: 4 },
          ),
          dropped_attributes_count: opt(fc.nat()),
        }),
        8,
      ),
      scope_spans: fc.array(
        fc.record({
          scope: opt(fc.record({ name: opt(strArb), version: opt(strArb), attributes: attributesArb })),
          spans: fc.array(spanArb, { maxLength: 4 }),
          schema_url: opt(strArb),
        }),
        { maxLength: 2 },
      ),
      schema_url: opt(strArb),
    }),
    { maxLength: 3 },
  ),
});

/** mulberry32: the scrambling's random choices, reproducible from the counterexample's seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const plain = (bytes: Buffer) => RequestType.toObject(RequestType.decode(bytes), { longs: String });

describe("OTLP protobuf decoder against protobufjs", () => {
  it(`reads ${RUNS} random requests written in any field order, repeated and with unknown fields as protobufjs does`, () => {
    fc.assert(
      fc.property(
        requestArb,
        fc.integer(),
        fc.boolean(),
        fc.nat(POLICIES.length - 1),
        (request, scrambleSeed, merges, policyIndex) => {
          const policy = POLICIES[policyIndex]!;
          const o: ScrambleOptions = {
            random: seeded(scrambleSeed),
            shuffle: true,
            repeatScalars: true,
            mergeMessages: merges,
          };
          const bytes = encodeRequest(request, o);
          // Without merges protobufjs reads the scrambled bytes as the spec does: use them.
          const expected = reference(merges ? encodeRequest(request, CANONICAL) : bytes, bytes, policy);
          const actual = decodeSpans(bytes, policy.options);
          expect(actual.encoding).toBe("otlp_proto");
          expect({ spans: actual.spans, rejected: actual.rejected }).toEqual(expected);
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  }, 120_000);

  it("writes requests that protobufjs reads the same whichever way they are written without merges", () => {
    fc.assert(
      fc.property(requestArb, fc.integer(), (request, scrambleSeed) => {
        const o = { random: seeded(scrambleSeed), shuffle: true, repeatScalars: true, mergeMessages: false };
        expect(plain(encodeRequest(request, o))).toEqual(plain(encodeRequest(request, CANONICAL)));
      }),
      { numRuns: 1_000, seed: SEED },
    );
  });

  it("reads a request whose first field is an unknown varint field 4 (byte 0x20, a space) as protobuf", () => {
    const span: SpanM = {
      trace_id: TRACE_A,
      span_id: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
      name: "GET /",
      start: 1_700_000_000_000_000_000n,
      end: 1_700_000_000_000_000_001n,
      attributes: [],
      events: [],
      links: [],
    };
    const request = encodeRequest({ resource_spans: [{ scope_spans: [{ spans: [span] }] }] }, CANONICAL);
    const result = decodeSpans(Buffer.concat([Buffer.of(0x20, 0x01), request]));
    expect(result.encoding).toBe("otlp_proto");
    expect(result.rejected).toEqual([]);
    expect(result.spans.map((s) => s.name)).toEqual(["GET /"]);
  });
});
