import type { AttributeValue, Span, SpanKind, SpanStatus } from "../domain/span.js";
import { KINDS, STATUSES, timeProblem } from "../otlp/proto-decode.js";
import type { AttributePolicy } from "./attributes.js";
import type { Interner } from "./intern.js";
import {
  isRecord,
  jsonErrorText,
  parseHexId,
  parseJsonKeepingNanos,
  parseNanos,
  parseParentId,
  retainAttributes,
} from "./json-common.js";
import type { Rejection } from "./types.js";

export interface NativeDecodeContext {
  readonly interner: Interner;
  readonly policy: AttributePolicy;
}

/**
 * Decodes native span JSON: one span object, an array of them, or NDJSON (one per line). For
 * NDJSON a rejection's `index` is the 0-based and its `line` the 1-based line number (blank lines
 * count).
 */
export function decodeNativeJson(
  text: string,
  ctx: NativeDecodeContext,
): { spans: Span[]; rejected: Rejection[] } {
  const spans: Span[] = [];
  const rejected: Rejection[] = [];
  let items: unknown[];
  try {
    const value = parseJsonKeepingNanos(text);
    items = Array.isArray(value) ? value : [value];
  } catch (err) {
    if (!text.includes("\n")) {
      rejected.push({ code: "TW_DECODE_FAILED", message: `invalid JSON: ${jsonErrorText(err)}` });
      return { spans, rejected };
    }
    return decodeNdjson(text, ctx);
  }
  items.forEach((item, index) => accept(item, index, ctx, spans, rejected));
  return { spans, rejected };
}

function decodeNdjson(text: string, ctx: NativeDecodeContext): { spans: Span[]; rejected: Rejection[] } {
  const spans: Span[] = [];
  const rejected: Rejection[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    let item: unknown;
    try {
      item = parseJsonKeepingNanos(line);
    } catch (err) {
      rejected.push({
        code: "TW_DECODE_FAILED",
        message: `invalid JSON: ${jsonErrorText(err)}`,
        index,
        line: index + 1,
      });
      return;
    }
    accept(item, index, ctx, spans, rejected, index + 1);
  });
  return { spans, rejected };
}

function accept(
  item: unknown,
  index: number,
  ctx: NativeDecodeContext,
  spans: Span[],
  rejected: Rejection[],
  line?: number,
): void {
  const result = nativeSpan(item, ctx);
  if (typeof result !== "string") spans.push(result);
  else if (line === undefined) rejected.push({ code: "TW_SPAN_INVALID", message: result, index });
  else rejected.push({ code: "TW_SPAN_INVALID", message: result, index, line });
}

/** One native span object, or a description of what is wrong with it. */
export function nativeSpan(item: unknown, ctx: NativeDecodeContext): Span | string {
  if (!isRecord(item)) return "span is not a JSON object";
  const traceId = parseHexId(item.traceId, 16, "trace id");
  if (typeof traceId === "string") return traceId;
  const spanId = parseHexId(item.spanId, 8, "span id");
  if (typeof spanId === "string") return spanId;
  const parent = parseParentId(item.parentSpanId);
  if (typeof parent === "string") return parent;
  if (typeof item.service !== "string" || item.service === "") return "service is missing";
  if (typeof item.name !== "string") return "name is missing";
  const kind = item.kind ?? "UNSPECIFIED";
  if (typeof kind !== "string" || !KINDS.includes(kind as SpanKind))
    return `kind ${JSON.stringify(kind)} is not a span kind`;
  const status = item.status ?? "UNSET";
  if (typeof status !== "string" || !STATUSES.includes(status as SpanStatus))
    return `status ${JSON.stringify(status)} is not a status`;
  const start = parseNanos(item.startTimeUnixNano, "start time");
  if (typeof start === "string") return start;
  const end = parseNanos(item.endTimeUnixNano, "end time");
  if (typeof end === "string") return end;
  const times = timeProblem(start, end);
  if (times !== null) return times;
  const attrs = item.attributes ?? null;
  if (attrs !== null && !isRecord(attrs)) return "attributes is not an object";
  return {
    traceId: traceId.id,
    spanId: spanId.id,
    parentSpanId: parent.id,
    service: ctx.interner.intern(item.service),
    name: ctx.interner.intern(item.name),
    kind: kind as SpanKind,
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    status: status as SpanStatus,
    attributes: retainAttributes(
      attrs as Record<string, AttributeValue> | null,
      ctx.policy,
      parent.id === null,
      status === "ERROR",
      ctx.interner,
    ),
  };
}
