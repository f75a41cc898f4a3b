import { fitsU64, HI, LO, TIME_HALVES, TIME_WORDS, TWO_POW_32 } from "./time-halves.js";
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

/**
 * Span duration in milliseconds: `Number(end - start) / 1e6`, the difference exact to the
 * nanosecond before its one rounding. For times in 0 .. 2^64 (what OTLP carries) it is taken on
 * the times' 32-bit halves as numbers, (endHi − startHi)·2^32 and endLo − startLo, both exact, so
 * their one rounded sum rounds as the BigInt difference would, with no BigInt made per span; other
 * times (made by hand or read from JSON) are subtracted as BigInts.
 */
export function spanDurationMs(span: Span): number {
  const start = span.startTimeUnixNano;
  const end = span.endTimeUnixNano;
  if (!fitsU64(start) || !fitsU64(end)) return Number(end - start) / 1e6;
  TIME_WORDS[0] = start;
  TIME_WORDS[1] = end;
  const ns =
    ((TIME_HALVES[HI + 2] as number) - (TIME_HALVES[HI] as number)) * TWO_POW_32 +
    ((TIME_HALVES[LO + 2] as number) - (TIME_HALVES[LO] as number));
  return ns / 1e6;
}
