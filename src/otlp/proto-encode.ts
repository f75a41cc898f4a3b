import type { AttributeValue, Attributes, Span } from "../domain/span.js";
import {
  Tag_AnyValue,
  Tag_ArrayValue,
  Tag_ExportTraceServiceRequest,
  Tag_InstrumentationScope,
  Tag_KeyValue,
  Tag_Resource,
  Tag_ResourceSpans,
  Tag_ScopeSpans,
  Tag_Span,
  Tag_Status,
} from "./generated/fields.js";
import { KINDS, STATUSES } from "./proto-decode.js";
import { ProtoWriter } from "./writer.js";

/** Instrumentation scope name written on encoded spans. */
export const ENCODER_SCOPE = "tracewatch";

/** Groups spans by service, keeping first-seen order, as an OTLP exporter does per resource. */
export function groupByService(spans: readonly Span[]): Map<string, Span[]> {
  const groups = new Map<string, Span[]>();
  for (const span of spans) {
    const group = groups.get(span.service);
    if (group === undefined) groups.set(span.service, [span]);
    else group.push(span);
  }
  return groups;
}

/**
 * Encodes spans as an OTLP protobuf `ExportTraceServiceRequest`: one `ResourceSpans` per service
 * (with `service.name`), one scope, spans in input order within each service.
 */
export function encodeOtlpProto(spans: readonly Span[]): Uint8Array {
  const w = new ProtoWriter(256 + spans.length * 160);
  for (const [service, group] of groupByService(spans)) {
    w.uint32(Tag_ExportTraceServiceRequest.resource_spans).begin();
    w.uint32(Tag_ResourceSpans.resource).begin();
    writeKeyValue(w, Tag_Resource.attributes, "service.name", service);
    w.end();
    w.uint32(Tag_ResourceSpans.scope_spans).begin();
    w.uint32(Tag_ScopeSpans.scope).begin().uint32(Tag_InstrumentationScope.name).string(ENCODER_SCOPE).end();
    for (const span of group) writeSpan(w, span);
    w.end();
    w.end();
  }
  return w.finish();
}

function writeSpan(w: ProtoWriter, span: Span): void {
  w.uint32(Tag_ScopeSpans.spans).begin();
  w.uint32(Tag_Span.trace_id).hex(span.traceId);
  w.uint32(Tag_Span.span_id).hex(span.spanId);
  if (span.parentSpanId !== null) w.uint32(Tag_Span.parent_span_id).hex(span.parentSpanId);
  w.uint32(Tag_Span.name).string(span.name);
  const kind = KINDS.indexOf(span.kind);
  if (kind > 0) w.uint32(Tag_Span.kind).uint32(kind);
  w.uint32(Tag_Span.start_time_unix_nano).fixed64(span.startTimeUnixNano);
  w.uint32(Tag_Span.end_time_unix_nano).fixed64(span.endTimeUnixNano);
  writeAttributes(w, Tag_Span.attributes, span.attributes);
  const status = STATUSES.indexOf(span.status);
  if (status > 0) w.uint32(Tag_Span.status).begin().uint32(Tag_Status.code).uint32(status).end();
  w.end();
}

function writeAttributes(w: ProtoWriter, tag: number, attributes: Attributes): void {
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) writeKeyValue(w, tag, key, value);
  }
}

function writeKeyValue(w: ProtoWriter, tag: number, key: string, value: AttributeValue): void {
  w.uint32(tag).begin();
  w.uint32(Tag_KeyValue.key).string(key);
  w.uint32(Tag_KeyValue.value).begin();
  writeAnyValueBody(w, value);
  w.end();
  w.end();
}

function writeAnyValueBody(w: ProtoWriter, value: AttributeValue): void {
  if (value === null) return;
  if (typeof value === "string") w.uint32(Tag_AnyValue.string_value).string(value);
  else if (typeof value === "boolean") w.uint32(Tag_AnyValue.bool_value).uint32(value ? 1 : 0);
  else if (typeof value === "number") {
    if (Number.isSafeInteger(value)) w.uint32(Tag_AnyValue.int_value).int64(BigInt(value));
    else w.uint32(Tag_AnyValue.double_value).double(value);
  } else {
    w.uint32(Tag_AnyValue.array_value).begin();
    for (const item of value) {
      w.uint32(Tag_ArrayValue.values).begin();
      writeAnyValueBody(w, item);
      w.end();
    }
    w.end();
  }
}
