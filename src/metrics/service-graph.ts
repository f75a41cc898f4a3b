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

/** Up to this many spans a parent is found by scanning the trace, past it through an index. */
const SCAN_MAX_SPANS = 64;

const isCaller = (kind: string): boolean => kind === "CLIENT" || kind === "PRODUCER";

/**
 * The cross-service requests of one trace: every parent→child span pair whose services differ
 * (the same edges the `service_hop_count` feature counts). A span whose parent is not in the
 * trace has no known caller and yields no edge. With `newFrom`, only the pairs with a span at or
 * after that index (the edges a re-opened trace's late spans added; see `CompletedTrace.earlierSpans`).
 * With `parentOf` (each span's parent index, -1 for none: the links scoring built, given for a
 * trace without repeated span ids or parent cycles), parents are not looked up again.
 */
export function serviceGraphEdges(
  spans: readonly Span[],
  newFrom = 0,
  parentOf?: Readonly<Int32Array>,
): ServiceGraphEdge[] {
  const byId = parentOf === undefined && spans.length > SCAN_MAX_SPANS ? indexById(spans) : null;
  const edges: ServiceGraphEdge[] = [];
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const parentId = span.parentSpanId;
    if (parentId === null) continue;
    const p =
      parentOf !== undefined
        ? parentOf[i]!
        : byId === null
          ? findId(spans, parentId, i)
          : (byId.get(parentId) ?? -1);
    if (p < 0 || (i < newFrom && p < newFrom)) continue;
    const parent = spans[p]!;
    if (parent.service === span.service) continue;
    const callerSpan = isCaller(parent.kind);
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

/** Index of each span id (a repeated id: its last span). */
function indexById(spans: readonly Span[]): Map<string, number> {
  const byId = new Map<string, number>();
  for (let i = 0; i < spans.length; i++) byId.set(spans[i]!.spanId, i);
  return byId;
}

/**
 * Index of a span with id `id`, -1 when none (a small trace: no index is built). Spans arrive in
 * end order, so a parent is most often shortly after its child: the search starts past `from`.
 */
function findId(spans: readonly Span[], id: string, from: number): number {
  for (let i = from + 1; i < spans.length; i++) if (spans[i]!.spanId === id) return i;
  for (let i = 0; i < from; i++) if (spans[i]!.spanId === id) return i;
  return -1;
}
