import type { Span } from "../../domain/span.js";

/** What a span is in its trace's parent graph. */
export const SpanRole = {
  /** Its parent is in the trace. */
  Child: 0,
  /** No parent id, or a parent link cut to break a cycle. */
  Root: 1,
  /** Its parent id is not in the trace: it starts a subtree. */
  Orphan: 2,
  /** Its span id repeats an earlier span's in the trace: ignored. */
  Duplicate: 3,
} as const;

/**
 * A trace's spans as a forest, whatever the input: every parent chain ends, nothing repeats.
 * - duplicate span ids: the first span with the id is kept, later ones are ignored and counted;
 * - a span that is its own parent, or a cycle of parents (A→B→A): the link of the
 *   earliest-starting span of the cycle (ties: the first seen) is cut, so that span becomes a root,
 *   and each cut is counted;
 * - a parent id absent from the trace: the span is an orphan (a subtree root).
 */
export interface SpanGraph {
  /** Index of each span's parent in `spans`, -1 for roots, orphans and duplicates. */
  readonly parentOf: Int32Array;
  /** {@link SpanRole} of each span. */
  readonly roles: Uint8Array;
  /** Spans ignored because their id repeats an earlier span's. */
  readonly duplicates: number;
  /** Parent links cut to break cycles. */
  readonly cycles: number;
}

const UNSEEN = 0;
const ON_PATH = 1;
const DONE = 2;

/** Arrays a {@link spanGraph} may be built in, each at least as long as the trace. */
export interface SpanGraphStore {
  readonly parentOf: Int32Array;
  readonly roles: Uint8Array;
}

/**
 * Builds the forest of `spans` in O(n), without recursion (chains of any depth): in arrays of its
 * own, or in views of `store`'s (then valid until the store is used again).
 */
export function spanGraph(spans: readonly Span[], store?: SpanGraphStore): SpanGraph {
  const n = spans.length;
  let parentOf: Int32Array;
  let roles: Uint8Array;
  if (store === undefined) {
    // One backing store for both arrays (each typed array past 64 bytes gets its own otherwise).
    const buffer = new ArrayBuffer(5 * n);
    parentOf = new Int32Array(buffer, 0, n).fill(-1);
    roles = new Uint8Array(buffer, 4 * n, n);
  } else {
    // Allocating a backing store costs more per trace than building the whole graph.
    parentOf = store.parentOf.subarray(0, n).fill(-1);
    roles = store.roles.subarray(0, n).fill(0);
  }
  const index = ID_TABLE;
  // A repeated id: the first span with it is the one kept, later ones are marked.
  const duplicates = index.reset(spans, roles);
  // Links that all point the same way (every parent earlier in the array, or every one later)
  // cannot form a cycle: the usual case is settled without walking the chains.
  let earlier = 0;
  let later = 0;
  let selfParents = 0;
  for (let i = 0; i < n; i++) {
    if (roles[i] === SpanRole.Duplicate) continue;
    const parentId = (spans[i] as Span).parentSpanId;
    const p = parentId === null ? -1 : index.find(parentId);
    if (p < 0) roles[i] = parentId === null ? SpanRole.Root : SpanRole.Orphan;
    else if (p === i) {
      // Its own parent: the smallest cycle, cut at once.
      roles[i] = SpanRole.Root;
      selfParents++;
    } else {
      parentOf[i] = p;
      if (p < i) earlier++;
      else later++;
    }
  }
  index.release();
  const cycles = selfParents + (earlier > 0 && later > 0 ? breakCycles(spans, parentOf, roles) : 0);
  return { parentOf, roles, duplicates, cycles };
}

/**
 * Span indexes by span id in an open-addressing table (linear probing), reused from trace to
 * trace (the core is single-threaded): a Map per trace costs its allocation, its growth and its
 * garbage, more than the lookups.
 */
export class SpanIdTable {
  /** Span index + 1 per slot, 0 for an empty slot; its length a power of two. */
  private slots = new Int32Array(64);
  private mask = 63;
  private spans: readonly Span[] = [];
  /** Whether ids are hashed whole (else by their last characters). */
  private full = false;

  /**
   * Indexes `spans` by id, the first span with an id kept; later spans with the same id are
   * marked {@link SpanRole.Duplicate} in `roles`. Returns how many were.
   */
  reset(spans: readonly Span[], roles: Uint8Array): number {
    const n = spans.length;
    // At most half full: probes stay short.
    let size = 64;
    while (size < 2 * n) size *= 2;
    if (size > this.slots.length) this.slots = new Int32Array(size);
    this.mask = size - 1;
    this.spans = spans;
    this.full = false;
    const duplicates = this.fill(spans, roles);
    if (duplicates >= 0) return duplicates;
    // Ids alike in their last characters (not random ones): hash them whole.
    this.full = true;
    return this.fill(spans, roles);
  }

  /** Fills the table; -1 when a probe ran past MAX_PROBES with the short hash. */
  private fill(spans: readonly Span[], roles: Uint8Array): number {
    const n = spans.length;
    const slots = this.slots;
    const mask = this.mask;
    slots.fill(0, 0, mask + 1);
    let duplicates = 0;
    for (let i = 0; i < n; i++) {
      const id = (spans[i] as Span).spanId;
      let at = this.hash(id) & mask;
      for (let probes = 0; ; probes++) {
        const k = slots[at] as number;
        if (k === 0) {
          slots[at] = i + 1;
          break;
        }
        if ((spans[k - 1] as Span).spanId === id) {
          roles[i] = SpanRole.Duplicate;
          duplicates++;
          break;
        }
        if (probes === MAX_PROBES && !this.full) return -1;
        at = (at + 1) & mask;
      }
    }
    return duplicates;
  }

  /** Index of the first span with `id`, -1 when none. */
  find(id: string): number {
    const slots = this.slots;
    let at = this.hash(id) & this.mask;
    for (;;) {
      const k = slots[at] as number;
      if (k === 0) return -1;
      if ((this.spans[k - 1] as Span).spanId === id) return k - 1;
      at = (at + 1) & this.mask;
    }
  }

  private hash(id: string): number {
    return this.full ? hashWhole(id) : hashTail(id);
  }

  /** Lets go of the spans (the table itself is kept for the next trace). */
  release(): void {
    this.spans = [];
  }
}

const ID_TABLE = new SpanIdTable();

/** Slots a short-hash insertion may probe before the table is filled again with whole-id hashes. */
const MAX_PROBES = 32;

/**
 * The last four characters of an id, mixed: span ids are random hex (W3C trace context), so these
 * are enough, and reading four characters instead of sixteen matters at a few per span.
 */
function hashTail(id: string): number {
  const n = id.length;
  if (n < 4) return hashWhole(id);
  const h = Math.imul(
    id.charCodeAt(n - 1) ^
      (id.charCodeAt(n - 2) << 8) ^
      (id.charCodeAt(n - 3) << 16) ^
      (id.charCodeAt(n - 4) << 24),
    0x9e3779b1,
  );
  return h ^ (h >>> 15);
}

/** FNV-1a over the id's UTF-16 code units, with a final mix so the low bits depend on all of them. */
function hashWhole(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h ^ (h >>> 16);
}

/** Scratch space of {@link breakCycles}, reused across calls (the core is single-threaded). */
let colours = new Uint8Array(1_024);

/**
 * Walks each parent chain once, marking it as it goes; a walk that meets its own marks went round
 * a cycle, whose link at its earliest-starting span (ties: the lowest index) is cut.
 */
function breakCycles(spans: readonly Span[], parentOf: Int32Array, roles: Uint8Array): number {
  const n = spans.length;
  if (colours.length < n) colours = new Uint8Array(Math.max(n, 2 * colours.length));
  const colour = colours;
  colour.fill(UNSEEN, 0, n);
  let cuts = 0;
  for (let i = 0; i < n; i++) {
    if (colour[i] !== UNSEEN) continue;
    let cur = i;
    while (cur >= 0 && colour[cur] === UNSEEN) {
      colour[cur] = ON_PATH;
      cur = parentOf[cur] as number;
    }
    if (cur >= 0 && colour[cur] === ON_PATH) {
      let cut = cur;
      let j = cur;
      do {
        colour[j] = DONE;
        if (startsBefore(spans, j, cut)) cut = j;
        j = parentOf[j] as number;
      } while (j !== cur);
      parentOf[cut] = -1;
      roles[cut] = SpanRole.Root;
      cuts++;
    }
    for (let j = i; j >= 0 && colour[j] === ON_PATH; j = parentOf[j] as number) colour[j] = DONE;
  }
  return cuts;
}

function startsBefore(spans: readonly Span[], a: number, b: number): boolean {
  const sa = (spans[a] as Span).startTimeUnixNano;
  const sb = (spans[b] as Span).startTimeUnixNano;
  return sa < sb || (sa === sb && a < b);
}
