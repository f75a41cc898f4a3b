import type { Span } from "../../domain/span.js";
import { StringTable } from "../string-table.js";

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
  /**
   * Index of each span's parent in `spans`, -1 for roots, orphans and duplicates. Built in a
   * store, this and `roles` may be longer than the trace: read indexes below its span count.
   */
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
    // Allocating a backing store costs more per trace than building the whole graph; the store's
    // arrays themselves, not views, so the graph's arrays may be longer than the trace.
    parentOf = store.parentOf;
    roles = store.roles;
    for (let i = 0; i < n; i++) {
      parentOf[i] = -1;
      roles[i] = 0;
    }
  }
  const index = ID_TABLE;
  index.reset(n);
  let duplicates = 0;
  for (let i = 0; i < n; i++) {
    // A repeated id: the first span with it is the one kept, later ones are marked.
    if (index.add((spans[i] as Span).spanId, i) >= 0) {
      roles[i] = SpanRole.Duplicate;
      duplicates++;
    }
  }
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

/** Span indexes by span id, reused from trace to trace (the core is single-threaded). */
const ID_TABLE = new StringTable();

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
