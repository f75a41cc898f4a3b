import type { Span } from "../domain/span.js";
import { spanDurationMs } from "../domain/span.js";

/** One request across a service boundary, found in a completed trace. */
export interface ServiceGraphEdge {
  /** Calling service (the parent span's service). */
  readonly client: string;
  /** Called service (the child span's service). */
  readonly server: string;
  /** The server span's status is ERROR, or the calling CLIENT/PRODUCER span's is. */
  readonly failed: boolean;
  /** Duration of the called (server-side) span, seconds. */
  readonly serverSeconds: number;
  /** Duration of the calling span when it is a CLIENT or PRODUCER span, seconds; else null. */
  readonly clientSeconds: number | null;
}

const CALLER_KINDS = new Set(["CLIENT", "PRODUCER"]);

/**
 * The cross-service requests of one trace: every parent→child span pair whose services differ
 * (the same edges the `service_hop_count` feature counts). A span whose parent is not in the
 * trace has no known caller and yields no edge. With `newFrom`, only the pairs with a span at or
 * after that index (the edges a re-opened trace's late spans added; see `CompletedTrace.earlierSpans`).
 */
export function serviceGraphEdges(spans: readonly Span[], newFrom = 0): ServiceGraphEdge[] {
  const byId = new Map<string, number>();
  for (let i = 0; i < spans.length; i++) byId.set(spans[i]!.spanId, i);
  const edges: ServiceGraphEdge[] = [];
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    if (span.parentSpanId === null) continue;
    const p = byId.get(span.parentSpanId);
    if (p === undefined || (i < newFrom && p < newFrom)) continue;
    const parent = spans[p]!;
    if (parent.service === span.service) continue;
    const callerSpan = CALLER_KINDS.has(parent.kind);
    edges.push({
      client: parent.service,
      server: span.service,
      failed: span.status === "ERROR" || (callerSpan && parent.status === "ERROR"),
      serverSeconds: Math.max(0, spanDurationMs(span)) / 1000,
      clientSeconds: callerSpan ? Math.max(0, spanDurationMs(parent)) / 1000 : null,
    });
  }
  return edges;
}
