import type { Attributes, Span } from "../../src/domain/span.js";

/**
 * A root span of service "shop", operation "checkout", half a second from 2026-01-01T00:00:00Z,
 * carrying `attributes` (personal data a redaction rule is to remove, say).
 */
export function checkoutSpan(traceId: string, spanId: string, attributes: Attributes): Span {
  return {
    traceId,
    spanId,
    parentSpanId: null,
    service: "shop",
    name: "checkout",
    kind: "SERVER",
    startTimeUnixNano: 1_767_225_600_000_000_000n,
    endTimeUnixNano: 1_767_225_600_500_000_000n,
    status: "OK",
    attributes,
  };
}
