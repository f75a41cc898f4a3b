import fc from "fast-check";
import protobuf from "protobufjs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROTO_DIR } from "../../../scripts/codegen-otlp.mjs";
import { decodeSpans, type DecodeOptions, type Rejection } from "../../../src/decode/index.js";
import type { AttributeValue, Span } from "../../../src/domain/span.js";
import { requestArb, seeded, TRACE_A } from "../../helpers/otlp-proto-arbitraries.js";
import {
  CANONICAL,
  encodeRequest,
  type ScrambleOptions,
  type SpanM,
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
// A failure prints the seed, the path and the shrunk counterexample; OTLP_FUZZ_SEED and
// OTLP_FUZZ_PATH replay it (fast-check's `seed` and `path`).
const SEED = Number(process.env.OTLP_FUZZ_SEED ?? 20261204);
const REPLAY = process.env.OTLP_FUZZ_PATH === undefined ? {} : { path: process.env.OTLP_FUZZ_PATH };

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

/** Text that differs whenever two results differ (bigints, -0 and NaN included). */
const exact = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "bigint" ? `${v}n` : typeof v === "number" ? { n: Object.is(v, -0) ? "-0" : String(v) } : v,
  );

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
          const got = { spans: actual.spans, rejected: actual.rejected };
          // toEqual is slow on 10,000 messages: it runs (and shows the difference) only on a mismatch.
          if (exact(got) !== exact(expected)) expect(got).toEqual(expected);
        },
      ),
      { numRuns: RUNS, seed: SEED, ...REPLAY },
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
