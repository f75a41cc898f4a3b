/**
 * The one internal span type. Every decoder (OTLP protobuf, OTLP JSON, native JSON) produces it.
 *
 * Times are Unix nanoseconds as `bigint`: they exceed 2^53 and must never pass through a float of
 * nanoseconds. Ids are lowercase hex (trace 32 chars, span 16 chars).
 */
export type SpanKind = "UNSPECIFIED" | "INTERNAL" | "SERVER" | "CLIENT" | "PRODUCER" | "CONSUMER";
export type SpanStatus = "UNSET" | "OK" | "ERROR";
export type AttributeValue = string | number | boolean | null | readonly AttributeValue[];
export type Attributes = Readonly<Record<string, AttributeValue>>;

export interface Span {
  /** 32 lowercase hex characters. */
  readonly traceId: string;
  /** 16 lowercase hex characters. */
  readonly spanId: string;
  /** 16 lowercase hex characters, or null on a root span. */
  readonly parentSpanId: string | null;
  /** `service.name` of the span's resource. */
  readonly service: string;
  /** Operation name. */
  readonly name: string;
  readonly kind: SpanKind;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly status: SpanStatus;
  /** Span attributes (resource attributes other than service.name are not kept). */
  readonly attributes: Attributes;
}

/** Shared empty attribute set, so spans without attributes cost no allocation. */
export const NO_ATTRIBUTES: Attributes = Object.freeze({});

export const TRACE_ID_RE = /^[0-9a-f]{32}$/;
export const SPAN_ID_RE = /^[0-9a-f]{16}$/;

/** Span duration in milliseconds (exact to the nanosecond before the one float conversion). */
export function spanDurationMs(span: Span): number {
  return Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6;
}
