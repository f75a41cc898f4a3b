import type { Span, SpanKind, SpanStatus } from "../../../src/domain/span.js";
import { NO_ATTRIBUTES } from "../../../src/domain/span.js";
import type { CompletedTrace } from "../../../src/domain/trace.js";

const T0 = 1_700_000_000_000_000_000n;

/** A span of `durationMs` starting `offsetMs` after a fixed instant. Ids derive from `id`. */
export function span(
  id: number,
  parent: number | null,
  service: string,
  opts: { name?: string; kind?: SpanKind; status?: SpanStatus; offsetMs?: number; durationMs?: number } = {},
): Span {
  const start = T0 + BigInt(Math.round((opts.offsetMs ?? 0) * 1e6));
  return {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: id.toString(16).padStart(16, "0"),
    parentSpanId: parent === null ? null : parent.toString(16).padStart(16, "0"),
    service,
    name: opts.name ?? `${service} op`,
    kind: opts.kind ?? "SERVER",
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt(Math.round((opts.durationMs ?? 10) * 1e6)),
    status: opts.status ?? "UNSET",
    attributes: NO_ATTRIBUTES,
  };
}

export function trace(spans: Span[]): CompletedTrace {
  return { traceId: spans[0]?.traceId ?? "", spans, reason: "root", completedAtMs: 0 };
}
