import type { Span } from "../../domain/span.js";

/**
 * One span as a line of native span JSON (DESIGN.md): nanosecond times as decimal strings, so
 * no reader has to pass them through a float.
 */
export function spanToNativeJsonLine(span: Span): string {
  return `${JSON.stringify({
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    service: span.service,
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: span.startTimeUnixNano.toString(),
    endTimeUnixNano: span.endTimeUnixNano.toString(),
    status: span.status,
    attributes: span.attributes,
  })}\n`;
}
