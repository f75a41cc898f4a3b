import type { Attributes, Span, SpanStatus } from "../../../../src/domain/span.js";
import type { CompletedTrace } from "../../../../src/domain/trace.js";

export const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const T0 = 1_700_000_000_000_000_000n;

/** A span of TRACE_ID; times in ms after a fixed origin. */
export function span(
  id: number,
  parent: number | null,
  service: string,
  startMs: number,
  endMs: number,
  status: SpanStatus = "OK",
  attributes: Attributes = {},
): Span {
  const hex = (n: number): string => n.toString(16).padStart(16, "0");
  return {
    traceId: TRACE_ID,
    spanId: hex(id),
    parentSpanId: parent === null ? null : hex(parent),
    service,
    name: `${service}.op`,
    kind: "SERVER",
    startTimeUnixNano: T0 + BigInt(startMs) * 1_000_000n,
    endTimeUnixNano: T0 + BigInt(endMs) * 1_000_000n,
    status,
    attributes,
  };
}

export function completed(spans: Span[]): CompletedTrace {
  return { traceId: TRACE_ID, spans, reason: "root", completedAtMs: 0 };
}
