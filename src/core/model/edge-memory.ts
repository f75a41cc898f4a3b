/** Granularity of the last-seen order, ms. */
const REORDER_MS = 1_000;

/** Options of {@link EdgeMemory}. */
export interface EdgeMemoryOptions {
  /**
   * How long an edge stays known after it was last seen, ms (the window's length when longer).
   * Default 7 days (config training.edge_retention).
   */
  readonly retentionMs?: number;
  /**
   * Most edges remembered (config training.max_edges); beyond it the least recently seen edge is
   * forgotten first. Default 100,000.
   */
  readonly maxEdges?: number;
}

/** What the memory knows about one caller→callee edge. */
export interface EdgeRecord {
  /** Traces learned with this edge (a bucket's flagged traces learned later count once). */
  count: number;
  /** Event time the edge was last seen in a learned trace, Unix ms. */
  lastSeenMs: number;
}

/** Counters of an {@link EdgeMemory}. */
export interface EdgeMemoryStats {
  readonly edges: number;
  /** Edges forgotten because they were not seen for the retention. */
  readonly expired: number;
  /** Edges forgotten because the memory was full. */
  readonly evicted: number;
}

/**
 * The known call edges, remembered from every trace that is learned (not only the window's
 * samples) for `retentionMs` after they were last seen: a set with counts and last-seen times.
 * Bounded by `maxEdges`; the map is kept in last-seen order (an edge seen again moves to the end),
 * so expiry and eviction take edges from the front, least recently seen first. Event times that
 * arrive out of order make that order approximate, never the bound.
 */
export class EdgeMemory {
  private readonly retentionMs: number;
  private readonly maxEdges: number;
  private readonly edges = new Map<string, EdgeRecord>();
  private expired = 0;
  private evicted = 0;

  constructor(o: EdgeMemoryOptions = {}) {
    this.retentionMs = o.retentionMs ?? 7 * 24 * 3_600_000;
    this.maxEdges = Math.max(1, o.maxEdges ?? 100_000);
  }

  /** Records that a learned trace carried `edge` at `atMs`; `count` traces (default 1). */
  note(edge: string, atMs: number, count = 1): void {
    const r = this.edges.get(edge);
    if (r === undefined) {
      this.edges.set(edge, { count, lastSeenMs: atMs });
      if (this.edges.size > this.maxEdges) this.evictOne();
      return;
    }
    r.count += count;
    if (atMs <= r.lastSeenMs) return;
    // Moved to the end (the map stays in last-seen order) at most once a second per edge: the
    // order is then exact to a second, and a busy edge costs one update per trace, not a re-insert.
    const move = atMs - r.lastSeenMs >= REORDER_MS;
    r.lastSeenMs = atMs;
    if (move) {
      this.edges.delete(edge);
      this.edges.set(edge, r);
    }
  }

  /** Adds edges known from elsewhere (a loaded model) that the memory does not hold yet, seen at `atMs`. */
  seed(edges: Iterable<string>, atMs: number): void {
    for (const e of edges) if (!this.edges.has(e)) this.note(e, atMs, 0);
  }

  /** Forgets edges not seen since `nowMs − retentionMs`. */
  expire(nowMs: number): void {
    const cutoff = nowMs - this.retentionMs;
    for (const [e, r] of this.edges) {
      if (r.lastSeenMs >= cutoff) break;
      this.edges.delete(e);
      this.expired++;
    }
  }

  has(edge: string): boolean {
    return this.edges.has(edge);
  }

  get(edge: string): Readonly<EdgeRecord> | undefined {
    return this.edges.get(edge);
  }

  /** The known edges, sorted. */
  known(): string[] {
    return [...this.edges.keys()].sort();
  }

  stats(): EdgeMemoryStats {
    return { edges: this.edges.size, expired: this.expired, evicted: this.evicted };
  }

  private evictOne(): void {
    const first = this.edges.keys().next();
    if (first.done === true) return;
    this.edges.delete(first.value);
    this.evicted++;
  }
}
