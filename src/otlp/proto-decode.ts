import {
  NO_ATTRIBUTES,
  type AttributeValue,
  type Span,
  type SpanKind,
  type SpanStatus,
} from "../domain/span.js";
import type { AttributePolicy } from "../decode/attributes.js";
import type { Interner } from "../decode/intern.js";
import type { Rejection } from "../decode/types.js";
import {
  Enum_Status_StatusCode,
  Tag_ExportTraceServiceRequest,
  Tag_Resource,
  Tag_ResourceSpans,
  Tag_ScopeSpans,
  Tag_Span,
  Tag_Status,
} from "./generated/fields.js";
import { readKeyValueInto, readValueIfKey } from "./proto-attributes.js";
import { IdTable } from "./id-table.js";
import { ProtoReader } from "./reader.js";
import type { StringCache } from "./string-cache.js";

/** What the OTLP decoders need besides the bytes. */
export interface OtlpDecodeContext {
  readonly interner: Interner;
  readonly policy: AttributePolicy;
  readonly defaultService: string;
  /** Byte-keyed cache in front of `interner`, kept across messages. */
  readonly strings: StringCache;
}

/** Span kinds by their OTLP enum value. */
export const KINDS: readonly SpanKind[] = [
  "UNSPECIFIED",
  "INTERNAL",
  "SERVER",
  "CLIENT",
  "PRODUCER",
  "CONSUMER",
];
export const STATUSES: readonly SpanStatus[] = ["UNSET", "OK", "ERROR"];

const MAX_ATTRIBUTES = 1024;
const SERVICE_NAME = Buffer.from("service.name", "utf8");

/** Mutable state of one message decode. */
class MessageDecoder {
  readonly spans: Span[] = [];
  readonly rejected: Rejection[] = [];
  private index = 0;
  private attrStarts = new Int32Array(64);
  private attrEnds = new Int32Array(64);
  private scopeStarts = new Int32Array(8);
  private scopeEnds = new Int32Array(8);
  private readonly strings: StringCache;

  constructor(
    private readonly r: ProtoReader,
    private readonly ctx: OtlpDecodeContext,
  ) {
    this.strings = ctx.strings;
  }

  request(end: number): void {
    const r = this.r;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === Tag_ExportTraceServiceRequest.resource_spans) this.resourceSpans(r.lengthEnd(end));
      else r.skip(tag & 7, end);
    }
    if (r.pos !== end) r.truncated();
  }

  private resourceSpans(end: number): void {
    const r = this.r;
    // One pass: the resource may follow the spans (the Collector writes it last) or repeat (its
    // occurrences merge), so scope_spans are remembered and decoded once the service is known.
    let service: AttributeValue | undefined;
    let scopes = 0;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === Tag_ResourceSpans.resource) service = this.serviceName(r.lengthEnd(end), service);
      else if (tag === Tag_ResourceSpans.scope_spans) {
        const scopeEnd = r.lengthEnd(end);
        this.rememberScope(scopes++, r.pos, scopeEnd);
        r.pos = scopeEnd;
      } else r.skip(tag & 7, end);
    }
    if (r.pos !== end) r.truncated();
    // The same rule as OTLP/JSON: a non-empty string, else the default.
    const svc = this.ctx.interner.intern(
      typeof service === "string" && service !== "" ? service : this.ctx.defaultService,
    );
    const starts = this.scopeStarts;
    const ends = this.scopeEnds;
    for (let i = 0; i < scopes; i++) {
      r.pos = starts[i]!;
      this.scopeSpans(ends[i]!, svc);
    }
    r.pos = end;
  }

  /** The last `service.name` attribute of a `Resource` ending at `end`, else `found`. */
  private serviceName(end: number, found: AttributeValue | undefined): AttributeValue | undefined {
    const r = this.r;
    let name = found;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === Tag_Resource.attributes) {
        const kvEnd = r.lengthEnd(end);
        const value = readValueIfKey(r, kvEnd, SERVICE_NAME);
        if (value !== undefined) name = value;
        r.pos = kvEnd;
      } else r.skip(tag & 7, end);
    }
    if (r.pos !== end) r.truncated();
    return name;
  }

  private rememberScope(i: number, start: number, end: number): void {
    if (i >= this.scopeStarts.length) {
      this.scopeStarts = grow(this.scopeStarts);
      this.scopeEnds = grow(this.scopeEnds);
    }
    this.scopeStarts[i] = start;
    this.scopeEnds[i] = end;
  }

  private scopeSpans(end: number, service: string): void {
    const r = this.r;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === Tag_ScopeSpans.spans) this.span(r.lengthEnd(end), service);
      else r.skip(tag & 7, end);
    }
    if (r.pos !== end) r.truncated();
  }

  private span(end: number, service: string): void {
    const r = this.r;
    let traceAt = -1;
    let traceLen = 0;
    let spanAt = -1;
    let spanLen = 0;
    let parentAt = -1;
    let parentLen = 0;
    let name = "";
    let kind = 0;
    let start = 0n;
    let finish = 0n;
    let status = 0;
    let attrCount = 0;
    while (r.pos < end) {
      const tag = r.uint32();
      switch (tag) {
        case Tag_Span.trace_id:
          traceLen = r.lengthEnd(end) - r.pos;
          traceAt = r.pos;
          r.pos += traceLen;
          break;
        case Tag_Span.span_id:
          spanLen = r.lengthEnd(end) - r.pos;
          spanAt = r.pos;
          r.pos += spanLen;
          break;
        case Tag_Span.parent_span_id:
          parentLen = r.lengthEnd(end) - r.pos;
          parentAt = r.pos;
          r.pos += parentLen;
          break;
        case Tag_Span.name: {
          const nameEnd = r.lengthEnd(end);
          name = this.strings.get(r.buf, r.pos, nameEnd);
          r.pos = nameEnd;
          break;
        }
        case Tag_Span.kind:
          kind = r.uint32();
          break;
        case Tag_Span.start_time_unix_nano:
          start = r.fixed64(end);
          break;
        case Tag_Span.end_time_unix_nano:
          finish = r.fixed64(end);
          break;
        case Tag_Span.attributes: {
          const attrEnd = r.lengthEnd(end);
          if (attrCount < MAX_ATTRIBUTES) this.rememberAttribute(attrCount++, r.pos, attrEnd);
          r.pos = attrEnd;
          break;
        }
        case Tag_Span.status:
          // Occurrences of a message field merge: a later status without a code keeps this one.
          status = this.statusCode(r.lengthEnd(end), status);
          break;
        default:
          r.skip(tag & 7, end);
      }
    }
    if (r.pos !== end) r.truncated();
    const index = this.index++;
    const problem =
      idProblem(traceAt, traceLen, spanAt, spanLen, parentLen, r.buf) ?? timeProblem(start, finish);
    if (problem !== null) {
      this.rejected.push({ code: "TW_SPAN_INVALID", message: problem, index });
      return;
    }
    const isRoot = parentLen === 0 || isZero(r.buf, parentAt, parentLen);
    const isError = status === Enum_Status_StatusCode.STATUS_CODE_ERROR;
    this.spans.push({
      traceId: this.traceId(traceAt),
      spanId: SPAN_IDS.idAt(spanAt),
      parentSpanId: isRoot ? null : SPAN_IDS.idAt(parentAt),
      service,
      name,
      kind: KINDS[kind] ?? "UNSPECIFIED",
      startTimeUnixNano: start,
      endTimeUnixNano: finish,
      status: STATUSES[status] ?? "UNSET",
      attributes: attrCount === 0 ? NO_ATTRIBUTES : this.attributes(attrCount, isRoot, isError),
    });
  }

  /** The spans of one trace in the message share one id string, made once. */
  private traceId(at: number): string {
    return TRACE_IDS.idAt(at);
  }

  private statusCode(end: number, previous: number): number {
    const r = this.r;
    let code = previous;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === Tag_Status.code) code = r.uint32();
      else r.skip(tag & 7, end);
    }
    if (r.pos !== end) r.truncated();
    return code;
  }

  private rememberAttribute(i: number, start: number, end: number): void {
    if (i >= this.attrStarts.length) {
      this.attrStarts = grow(this.attrStarts);
      this.attrEnds = grow(this.attrEnds);
    }
    this.attrStarts[i] = start;
    this.attrEnds[i] = end;
  }

  /** Decodes the remembered attributes of the current span that the retention policy keeps. */
  private attributes(
    count: number,
    isRoot: boolean,
    isError: boolean,
  ): Readonly<Record<string, AttributeValue>> {
    const policy = this.ctx.policy;
    const all = policy.keepAll(isRoot, isError);
    if (!all && policy.keys === null) return NO_ATTRIBUTES;
    const only = all ? null : policy.keys;
    const r = this.r;
    const saved = r.pos;
    const out: Record<string, AttributeValue> = {};
    let kept = 0;
    for (let i = 0; i < count; i++) {
      r.pos = this.attrStarts[i] ?? 0;
      readKeyValueInto(r, this.attrEnds[i] ?? 0, out, only, this.strings);
    }
    for (const _ in out) kept++;
    r.pos = saved;
    return kept === 0 ? NO_ATTRIBUTES : out;
  }
}

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(a.length * 2);
  bigger.set(a);
  return bigger;
}

function isZero(buf: Buffer, at: number, len: number): boolean {
  for (let i = at; i < at + len; i++) if (buf[i] !== 0) return false;
  return true;
}

function idProblem(
  traceAt: number,
  traceLen: number,
  spanAt: number,
  spanLen: number,
  parentLen: number,
  buf: Buffer,
): string | null {
  if (traceAt < 0 || traceLen === 0) return "trace id is missing";
  if (traceLen !== 16) return `trace id must be 16 bytes, got ${traceLen}`;
  if (isZero(buf, traceAt, 16)) return "trace id is all zeros";
  if (spanAt < 0 || spanLen === 0) return "span id is missing";
  if (spanLen !== 8) return `span id must be 8 bytes, got ${spanLen}`;
  if (isZero(buf, spanAt, 8)) return "span id is all zeros";
  if (parentLen !== 0 && parentLen !== 8) return `parent span id must be empty or 8 bytes, got ${parentLen}`;
  return null;
}

/** Checks span times; shared by every decoder. */
export function timeProblem(start: bigint, end: bigint): string | null {
  if (start <= 0n) return "start time is missing";
  if (end < start) return "end time is before start time";
  return null;
}

/**
 * Decodes an OTLP protobuf `ExportTraceServiceRequest`. Malformed wire data throws
 * {@link WireError}; invalid spans become rejections with their index.
 */
export function decodeOtlpProtoSpans(
  bytes: Uint8Array,
  ctx: OtlpDecodeContext,
): { spans: Span[]; rejected: Rejection[] } {
  const reader = new ProtoReader(bytes);
  const decoder = new MessageDecoder(reader, ctx);
  TRACE_IDS.reset(reader.buf);
  SPAN_IDS.reset(reader.buf);
  try {
    decoder.request(bytes.byteLength);
  } finally {
    TRACE_IDS.release();
    SPAN_IDS.release();
  }
  return decoder;
}

/**
 * Id strings of the message being decoded, by their bytes (decoding is synchronous): every span of
 * a trace in the message shares one trace id string, and a child's parent id is its parent's own
 * span id string when both are in the message, so buffered spans cost one copy of each id, and
 * each distinct id is converted to hex once.
 */
const TRACE_IDS = new IdTable(16);
const SPAN_IDS = new IdTable(8);
