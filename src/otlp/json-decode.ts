import type { AttributeValue, Span } from "../domain/span.js";
import {
  isRecord,
  parseHexId,
  parseNanos,
  parseParentId,
  pick,
  retainAttributes,
} from "../decode/json-common.js";
import type { Rejection } from "../decode/types.js";
import { KINDS, STATUSES, timeProblem, type OtlpDecodeContext } from "./proto-decode.js";

/**
 * Decodes an already parsed OTLP/JSON `ExportTraceServiceRequest` (hex ids, int64 as strings or
 * numbers, enums as numbers or names). Structural problems reject the whole message by throwing
 * {@link OtlpJsonError}; invalid spans become rejections with their index.
 */
export class OtlpJsonError extends Error {}

function list(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpJsonError(`${what} is not an array`);
  return value;
}

export function decodeOtlpJsonObject(
  root: unknown,
  ctx: OtlpDecodeContext,
): { spans: Span[]; rejected: Rejection[] } {
  if (!isRecord(root)) throw new OtlpJsonError("message is not a JSON object");
  const spans: Span[] = [];
  const rejected: Rejection[] = [];
  let index = 0;
  for (const rs of list(pick(root, "resourceSpans", "resource_spans"), "resourceSpans")) {
    if (!isRecord(rs)) throw new OtlpJsonError("resourceSpans entry is not an object");
    const resource = rs.resource;
    const attrs = isRecord(resource) ? keyValues(resource.attributes) : null;
    const name = attrs?.["service.name"];
    const service = ctx.interner.intern(typeof name === "string" && name !== "" ? name : ctx.defaultService);
    for (const ss of list(pick(rs, "scopeSpans", "scope_spans"), "scopeSpans")) {
      if (!isRecord(ss)) throw new OtlpJsonError("scopeSpans entry is not an object");
      for (const item of list(ss.spans, "spans")) {
        const span = otlpJsonSpan(item, service, ctx);
        if (typeof span === "string") rejected.push({ code: "TW_SPAN_INVALID", message: span, index });
        else spans.push(span);
        index++;
      }
    }
  }
  return { spans, rejected };
}

function enumValue(value: unknown, names: readonly string[], prefix: string): number | null {
  if (value === undefined || value === null) return 0;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string") {
    const i = names.indexOf(value.startsWith(prefix) ? value.slice(prefix.length) : value);
    return i >= 0 ? i : null;
  }
  return null;
}

function otlpJsonSpan(item: unknown, service: string, ctx: OtlpDecodeContext): Span | string {
  if (!isRecord(item)) return "span is not a JSON object";
  const traceId = parseHexId(pick(item, "traceId", "trace_id"), 16, "trace id");
  if (typeof traceId === "string") return traceId;
  const spanId = parseHexId(pick(item, "spanId", "span_id"), 8, "span id");
  if (typeof spanId === "string") return spanId;
  const parent = parseParentId(pick(item, "parentSpanId", "parent_span_id"));
  if (typeof parent === "string") return parent;
  const start = parseNanos(pick(item, "startTimeUnixNano", "start_time_unix_nano"), "start time");
  if (typeof start === "string") return start;
  const end = parseNanos(pick(item, "endTimeUnixNano", "end_time_unix_nano"), "end time");
  if (typeof end === "string") return end;
  const times = timeProblem(start, end);
  if (times !== null) return times;
  const kind = enumValue(item.kind, KINDS, "SPAN_KIND_");
  if (kind === null) return `kind ${JSON.stringify(item.kind)} is not a span kind`;
  const status = isRecord(item.status) ? enumValue(item.status.code, STATUSES, "STATUS_CODE_") : 0;
  if (status === null) return "status code is not a status";
  const name = typeof item.name === "string" ? item.name : "";
  return {
    traceId: traceId.id,
    spanId: spanId.id,
    parentSpanId: parent.id,
    service,
    name: ctx.interner.intern(name),
    kind: KINDS[kind] ?? "UNSPECIFIED",
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    status: STATUSES[status] ?? "UNSET",
    attributes: retainAttributes(
      keyValues(item.attributes),
      ctx.policy,
      parent.id === null,
      status === 2,
      ctx.interner,
    ),
  };
}

/** OTLP/JSON `KeyValue[]` as a plain map; null when absent or empty. */
function keyValues(value: unknown): Record<string, AttributeValue> | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const out: Record<string, AttributeValue> = {};
  for (const kv of value) {
    if (isRecord(kv) && typeof kv.key === "string") out[kv.key] = anyValue(kv.value);
  }
  return out;
}

/** An OTLP/JSON `AnyValue` as an attribute value (nested maps as their JSON text). */
export function anyValue(value: unknown): AttributeValue {
  if (!isRecord(value)) return null;
  const s = pick(value, "stringValue", "string_value");
  if (typeof s === "string") return s;
  const b = pick(value, "boolValue", "bool_value");
  if (typeof b === "boolean") return b;
  const i = pick(value, "intValue", "int_value");
  if (typeof i === "number") return i;
  if (typeof i === "string") {
    const n = Number(i);
    return Number.isSafeInteger(n) ? n : i;
  }
  const d = pick(value, "doubleValue", "double_value");
  if (typeof d === "number") return d;
  if (typeof d === "string") return Number(d);
  const arr = pick(value, "arrayValue", "array_value");
  if (isRecord(arr)) return Array.isArray(arr.values) ? arr.values.map(anyValue) : [];
  const kv = pick(value, "kvlistValue", "kvlist_value");
  if (isRecord(kv)) return JSON.stringify(keyValues(kv.values) ?? {});
  const bytes = pick(value, "bytesValue", "bytes_value");
  if (typeof bytes === "string") return bytes;
  return null;
}
