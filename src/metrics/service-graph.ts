import { spanDurationMs, type Span } from "../domain/span.js";

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
  const list = new ServiceGraphEdgeList().fill(spans, newFrom, parentOf);
  const edges: ServiceGraphEdge[] = [];
  for (let i = 0; i < list.length; i++) edges.push(list.edge(i));
  return edges;
}

const NO_SPANS: readonly Span[] = [];

/**
 * The edges {@link serviceGraphEdges} finds, held as their spans' indices in one reused list:
 * filling it for a trace allocates nothing per edge, and a reader takes only the figures it needs
 * (the service map, no client durations). Valid until the next `fill` or `release`.
 */
export class ServiceGraphEdgeList {
  /** Edges found by the last `fill`. */
  length = 0;
  private spans: readonly Span[] = NO_SPANS;
  /** Per edge: the called span's index, and its calling (parent) span's. */
  private child = new Int32Array(32);
  private parent = new Int32Array(32);
  /** Root spans (no parent id) at or after `newFrom` found by the last `fill`: their indices. */
  private roots = new Int32Array(4);
  /** Root spans found by the last `fill`. */
  rootCount = 0;
  /** The spans' durations in ns when the last `fill` was given them (see `fill`). */
  private spanNs: Readonly<Float64Array> | undefined = undefined;

  /**
   * Finds the edges of `spans` (arguments as {@link serviceGraphEdges}'), in the same order. With
   * `spanNs` (each span's end − start in ns, as feature extraction computed it, given with
   * `parentOf`), durations are read from it instead of subtracting the spans' times again.
   */
  fill(
    spans: readonly Span[],
    newFrom = 0,
    parentOf?: Readonly<Int32Array>,
    spanNs?: Readonly<Float64Array>,
  ): this {
    const byId = parentOf === undefined && spans.length > SCAN_MAX_SPANS ? indexById(spans) : null;
    let n = 0;
    let roots = 0;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      const parentId = span.parentSpanId;
      if (parentId === null) {
        if (i < newFrom) continue;
        if (roots === this.roots.length) this.roots = doubled(this.roots);
        this.roots[roots++] = i;
        continue;
      }
      const p =
        parentOf !== undefined
          ? parentOf[i]!
          : byId === null
            ? findId(spans, parentId, i)
            : (byId.get(parentId) ?? -1);
      if (p < 0 || (i < newFrom && p < newFrom)) continue;
      if (spans[p]!.service === span.service) continue;
      if (n === this.child.length) this.grow();
      this.child[n] = i;
      this.parent[n] = p;
      n++;
    }
    this.spans = spans;
    this.spanNs = spanNs;
    this.length = n;
    this.rootCount = roots;
    return this;
  }

  /** Lets go of the trace's spans (the list keeps its capacity). */
  release(): void {
    this.spans = NO_SPANS;
    this.spanNs = undefined;
    this.length = 0;
    this.rootCount = 0;
  }

  /** Root span `r` (`r` below `rootCount`) of the last `fill`, in span order. */
  root(r: number): Span {
    return this.spans[this.roots[r]!]!;
  }

  /** Duration of root span `r`, ms (`spanDurationMs`). */
  rootMs(r: number): number {
    return this.durationMs(this.roots[r]!);
  }

  /** Calling service of edge `i` (the parent span's service). */
  client(i: number): string {
    return this.spans[this.parent[i]!]!.service;
  }

  /** Called service of edge `i` (the child span's service). */
  server(i: number): string {
    return this.spans[this.child[i]!]!.service;
  }

  /** Edge `i`'s server span's status is ERROR, or its calling CLIENT/PRODUCER span's is. */
  failed(i: number): boolean {
    const parent = this.spans[this.parent[i]!]!;
    return (
      this.spans[this.child[i]!]!.status === "ERROR" || (isCaller(parent.kind) && parent.status === "ERROR")
    );
  }

  /** Duration of edge `i`'s called (server-side) span, seconds. */
  serverSeconds(i: number): number {
    return Math.max(0, this.durationMs(this.child[i]!)) / 1000;
  }

  /** Duration of edge `i`'s calling span when it is a CLIENT or PRODUCER span, seconds; else null. */
  clientSeconds(i: number): number | null {
    const p = this.parent[i]!;
    return isCaller(this.spans[p]!.kind) ? Math.max(0, this.durationMs(p)) / 1000 : null;
  }

  /** `spanDurationMs` of span `k`: from the given durations when there are some. */
  private durationMs(k: number): number {
    const ns = this.spanNs;
    return ns === undefined ? spanDurationMs(this.spans[k]!) : ns[k]! / 1e6;
  }

  /** Edge `i` as an object. */
  edge(i: number): ServiceGraphEdge {
    return {
      client: this.client(i),
      server: this.server(i),
      failed: this.failed(i),
      serverSeconds: this.serverSeconds(i),
      clientSeconds: this.clientSeconds(i),
    };
  }

  private grow(): void {
    this.child = doubled(this.child);
    this.parent = doubled(this.parent);
  }
}

function doubled(a: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(2 * a.length);
  bigger.set(a);
  return bigger;
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
