import type { Span } from "../../domain/span.js";
import { SpanRole, type SpanGraph, type SpanGraphStore } from "./span-graph.js";

/**
 * Per-span timings of one trace, in arrays indexed like the trace's spans: what per-operation
 * baselines learn from and score. Built from the trace's parent graph in O(n log k) (k children
 * per span), without recursion. The arrays may be longer than the trace: read indexes below `n`.
 * A profile from a {@link SpanProfiler} lives in the profiler's arrays, until its next profile.
 */
export interface SpanProfile {
  /** Spans of the trace (duplicates are marked `skip`). */
  readonly n: number;
  /** Operation key per span: {@link operationKey}. */
  readonly op: readonly string[];
  /** Operation id per span: {@link operationOf}. */
  readonly opId: Int32Array;
  readonly service: readonly string[];
  readonly spanId: readonly string[];
  /** 1 for a duplicate span id: not profiled. */
  readonly skip: Uint8Array;
  readonly durationMs: Float64Array;
  /**
   * Self time, ms: the span's duration minus the union of its children's intervals (clipped to
   * the span), so parallel children are not counted twice. For a client span whose callee's
   * server span is in the trace, this is the time outside the callee: network and queueing.
   */
  readonly selfMs: Float64Array;
  /** Index of the parent span, -1 for roots and orphans. */
  readonly parent: Int32Array;
  /**
   * For a span whose only child runs in another service (a client span around one call): that
   * child's index; otherwise -1.
   */
  readonly callee: Int32Array;
  /** 1 for spans on the critical path (walked back from the root's end, latest-ending child first). */
  readonly critical: Uint8Array;
  /** 1 for spans with status ERROR. */
  readonly error: Uint8Array;
  /** Index of the trace's root span (-1 for an empty trace). */
  readonly root: number;
}

/** `service|KIND|name`: the identity an operation's baseline is kept under. */
export function operationKey(s: Span): string {
  return operationOf(s).key;
}

/**
 * An operation as the span profile names it: its key ({@link operationKey}) and a small integer
 * id, the same for every span of the operation while the table of operations lasts. Ids are
 * indexes for caches that check the key (see {@link OperationMemo}): the table starts over past
 * {@link MAX_OPERATION_IDS} operations, and then ids are given again.
 */
export interface Operation {
  readonly key: string;
  readonly id: number;
}

interface OperationEntry extends Operation {
  readonly kind: string;
  /** Another kind of the same service and name. */
  readonly next: OperationEntry | undefined;
}

/**
 * Operations by service, then name, then (a short chain) kind: built once, so that every span of
 * an operation shares one flat key string, whose hash is computed once (a fresh concatenation per
 * span is rehashed at each map lookup), and one id.
 */
const OPERATIONS = new Map<string, Map<string, OperationEntry>>();
let nextOperationId = 0;
let lastService: string | undefined;
let lastByName: Map<string, OperationEntry> | undefined;
/** Operations the table holds before it starts over. */
export const MAX_OPERATION_IDS = 16_384;

/** The operation of span `s`. */
export function operationOf(s: Span): Operation {
  // A trace's spans come in runs of one service (its resource's spans): the last service's
  // operations are kept at hand.
  let byName = s.service === lastService ? lastByName : OPERATIONS.get(s.service);
  if (byName === undefined) OPERATIONS.set(s.service, (byName = new Map()));
  lastService = s.service;
  lastByName = byName;
  const head = byName.get(s.name);
  for (let e = head; e !== undefined; e = e.next) if (e.kind === s.kind) return e;
  if (nextOperationId >= MAX_OPERATION_IDS) {
    OPERATIONS.clear();
    lastService = undefined;
    lastByName = undefined;
    nextOperationId = 0;
    return operationOf(s);
  }
  const e: OperationEntry = {
    key: internalized(s.service + "|" + s.kind + "|" + s.name),
    id: nextOperationId++,
    kind: s.kind,
    next: head,
  };
  byName.set(s.name, e);
  return e;
}

/**
 * `key` as the engine's unique copy of its characters (V8 keeps one per property name): two such
 * strings are equal exactly when they are the same object, so comparing an operation's key with
 * another operation's (parents scanned per span in the call baselines) takes no character
 * comparison, where two concatenations of equal length are compared character by character.
 */
function internalized(key: string): string {
  const named: Record<string, true> = { [key]: true };
  for (const k in named) return k;
  return key;
}

/**
 * Values looked up by operation key, remembered by operation id: an array read and a key check
 * (the same string object, in the common case) instead of a map lookup by string. A remembered
 * value is used only while its key is the span's, so ids given again after the table of
 * operations started over are harmless. `lookup` must give the same value for a key every time.
 */
export class OperationMemo<V> {
  private readonly keys: Array<string | undefined> = [];
  private readonly values: Array<V | undefined> = [];

  constructor(private readonly lookup: (key: string) => V) {}

  /** The value of span `i` of `p`. */
  get(p: SpanProfile, i: number): V {
    const id = p.opId[i] as number;
    const key = p.op[i] as string;
    if (this.keys[id] === key) return this.values[id] as V;
    const v = this.lookup(key);
    while (this.keys.length <= id) {
      this.keys.push(undefined);
      this.values.push(undefined);
    }
    this.keys[id] = key;
    this.values[id] = v;
    return v;
  }
}

/** Builds the profile of `spans` given their graph and the root's index, in arrays of its own. */
export function profileSpans(spans: readonly Span[], graph: SpanGraph, root: number): SpanProfile {
  return new SpanProfiler(spans.length).profile(spans, graph, root);
}

/**
 * Builds span profiles into arrays it keeps and reuses, grown by doubling: each profile is valid
 * until the next one, which is how the detection pipeline uses it (a trace's profile is scored
 * and learned from before the next trace is profiled). Typed arrays past 64 bytes each get an
 * off-heap backing store: a dozen of them per trace cost more than the arithmetic, and more
 * garbage collection.
 */
export class SpanProfiler {
  private capacity = 0;
  private op: string[] = [];
  private opId = new Int32Array(0);
  private service: string[] = [];
  private spanId: string[] = [];
  private skip = new Uint8Array(0);
  private critical = new Uint8Array(0);
  private error = new Uint8Array(0);
  private start = new Float64Array(0);
  private end = new Float64Array(0);
  private durationMs = new Float64Array(0);
  private selfMs = new Float64Array(0);
  private callee = new Int32Array(0);
  private delegates = new Int32Array(0);
  private first = new Int32Array(1);
  private fill = new Int32Array(0);
  private kids = new Int32Array(0);
  private spanNs = new Float64Array(0);
  private spanStartNs = new Float64Array(0);
  private walk!: CriticalWalk;
  private graph: SpanGraphStore = { parentOf: new Int32Array(0), roles: new Uint8Array(0) };

  constructor(capacity = 64) {
    this.reserve(capacity);
  }

  private reserve(n: number): void {
    if (n <= this.capacity) return;
    const c = Math.max(n, 2 * this.capacity);
    this.capacity = c;
    this.op = new Array<string>(c);
    this.opId = new Int32Array(c);
    this.service = new Array<string>(c);
    this.spanId = new Array<string>(c);
    this.skip = new Uint8Array(c);
    this.critical = new Uint8Array(c);
    this.error = new Uint8Array(c);
    this.start = new Float64Array(c);
    this.end = new Float64Array(c);
    this.durationMs = new Float64Array(c);
    this.selfMs = new Float64Array(c);
    this.callee = new Int32Array(c);
    this.delegates = new Int32Array(c);
    this.first = new Int32Array(c + 1);
    this.fill = new Int32Array(c);
    this.kids = new Int32Array(c);
    this.spanNs = new Float64Array(c);
    this.spanStartNs = new Float64Array(c);
    this.graph = { parentOf: new Int32Array(c), roles: new Uint8Array(c) };
    const { first, kids, start, end, critical } = this;
    this.walk = { first, kids, start, end, critical };
  }

  /**
   * Where the trace's span durations (end − start, ns) may be written for the next
   * {@link profile} with `knownTimes`, at least `n` long.
   */
  durationsNs(n: number): Float64Array {
    this.reserve(n);
    return this.spanNs;
  }

  /**
   * Where the trace's span starts (ns from the first span's start) may be written for the next
   * {@link profile} with `knownTimes`, at least `n` long. Known times are given for every span
   * but duplicates, and are exact integers (as are their sums).
   */
  startsNs(n: number): Float64Array {
    this.reserve(n);
    return this.spanStartNs;
  }

  /**
   * Arrays for the span graph of a trace of `n` spans, this profiler's to reuse: a graph built in
   * them is valid until the next one, like a profile.
   */
  graphStore(n: number): SpanGraphStore {
    this.reserve(n);
    return this.graph;
  }

  /** The profile of `spans` given their graph and the root's index: valid until the next call. */
  profile(spans: readonly Span[], graph: SpanGraph, root: number, knownTimes = false): SpanProfile {
    const n = spans.length;
    this.reserve(n);
    const { op, opId, service, spanId, skip, error, start, end, durationMs, selfMs, callee, delegates } =
      this;
    const { first, fill, kids, spanNs } = this;
    const startNs_ = this.spanStartNs;
    const { parentOf, roles } = graph;
    skip.fill(0, 0, n);
    error.fill(0, 0, n);
    callee.fill(-1, 0, n);
    // Children in CSR form: first[p]..first[p+1] in `kids`.
    first.fill(0, 0, n + 1);
    // Children that call out themselves, per parent: only beside those can a leaf be a wrapper.
    delegates.fill(0, 0, n);
    const base = n > 0 ? (spans[0] as Span).startTimeUnixNano : 0n;
    for (let i = 0; i < n; i++) {
      const s = spans[i] as Span;
      const o = operationOf(s);
      op[i] = o.key;
      opId[i] = o.id;
      service[i] = s.service;
      spanId[i] = s.spanId;
      if (roles[i] === SpanRole.Duplicate) skip[i] = 1;
      if (s.status === "ERROR") error[i] = 1;
      // Offsets from the first span in exact BigInt: Unix ns exceed 2^53.
      // With times the features took (exact integers, see knownTimes), end − base is start − base
      // plus the duration exactly: the same numbers without BigInt arithmetic.
      const known = knownTimes && roles[i] !== SpanRole.Duplicate;
      const startNs = known ? (startNs_[i] as number) : Number(s.startTimeUnixNano - base);
      const st = startNs / 1e6;
      const e = known ? (startNs + (spanNs[i] as number)) / 1e6 : Number(s.endTimeUnixNano - base) / 1e6;
      start[i] = st;
      end[i] = e > st ? e : st;
      durationMs[i] = e > st ? e - st : 0;
      const p = parentOf[i] as number;
      if (p >= 0) first[p + 1]!++;
    }
    for (let i = 0; i < n; i++) first[i + 1]! += first[i]!;
    for (let i = 0; i < n; i++) fill[i] = first[i]!;
    for (let i = 0; i < n; i++) {
      const p = parentOf[i] as number;
      if (p >= 0) kids[fill[p]!++] = i;
    }
    for (let i = 0; i < n; i++) {
      const p = parentOf[i] as number;
      if (p >= 0 && first[i + 1]! > first[i]!) delegates[p]!++;
    }
    for (let i = 0; i < n; i++) {
      const lo = first[i]!;
      const hi = first[i + 1]!;
      if (hi === lo) {
        const p = parentOf[i] as number;
        selfMs[i] =
          p >= 0 && delegates[p]! > 0 ? leafSelf(i, p, first, kids, service, start, end) : durationMs[i]!;
        continue;
      }
      if (hi - lo === 1 && service[kids[lo]!] !== service[i]) callee[i] = kids[lo]!;
      if (hi - lo > 1 && !sortedByStart(kids, lo, hi, start)) sortByStart(kids, lo, hi, start);
      // Union of the children's intervals (in start order), clipped to the span.
      let covered = 0;
      let curS = Number.NaN;
      let curE = Number.NaN;
      for (let j = lo; j < hi; j++) {
        const k = kids[j]!;
        const s = Math.max(start[k]!, start[i]!);
        const e = Math.min(end[k]!, end[i]!);
        if (e <= s) continue;
        if (curE === curE && s <= curE) {
          if (e > curE) curE = e;
        } else {
          if (curE === curE) covered += curE - curS;
          curS = s;
          curE = e;
        }
      }
      if (curE === curE) covered += curE - curS;
      selfMs[i] = Math.max(0, durationMs[i]! - covered);
    }
    return new Profile(
      n,
      op,
      opId,
      service,
      spanId,
      skip,
      durationMs,
      selfMs,
      parentOf,
      callee,
      error,
      root,
      this.walk,
    );
  }
}

/** What the critical path is walked on, the profiler's arrays. */
interface CriticalWalk {
  readonly first: Int32Array;
  readonly kids: Int32Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly critical: Uint8Array;
}

/**
 * A profile whose critical path is marked when first read: only traces with a span beyond its
 * baseline need it (and the trace view).
 */
class Profile implements SpanProfile {
  private marked = false;

  constructor(
    readonly n: number,
    readonly op: readonly string[],
    readonly opId: Int32Array,
    readonly service: readonly string[],
    readonly spanId: readonly string[],
    readonly skip: Uint8Array,
    readonly durationMs: Float64Array,
    readonly selfMs: Float64Array,
    readonly parent: Int32Array,
    readonly callee: Int32Array,
    readonly error: Uint8Array,
    readonly root: number,
    private readonly walk: CriticalWalk,
  ) {}

  get critical(): Uint8Array {
    const w = this.walk;
    if (!this.marked) {
      this.marked = true;
      w.critical.fill(0, 0, this.n);
      if (this.root >= 0) markCritical(this.root, w.first, w.kids, w.start, w.end, w.critical);
    }
    return w.critical;
  }
}

function sortedByStart(kids: Int32Array, lo: number, hi: number, start: Float64Array): boolean {
  for (let j = lo + 1; j < hi; j++) if (start[kids[j]!]! < start[kids[j - 1]!]!) return false;
  return true;
}

/** Children sorted by insertion; more are sorted by the built-in sort. */
const INSERTION_SORT_MAX = 32;

/**
 * Sorts kids[lo, hi) by start, stably (ties keep their order) like the built-in typed-array sort
 * with a comparator, which costs more than the sorting for a handful of children.
 */
export function sortByStart(kids: Int32Array, lo: number, hi: number, start: Float64Array): void {
  if (hi - lo > INSERTION_SORT_MAX) {
    kids.subarray(lo, hi).sort((a, b) => start[a]! - start[b]!);
    return;
  }
  for (let j = lo + 1; j < hi; j++) {
    const k = kids[j]!;
    const s = start[k]!;
    let m = j - 1;
    while (m >= lo && start[kids[m]!]! > s) {
      kids[m + 1] = kids[m]!;
      m--;
    }
    kids[m + 1] = k;
  }
}

/** Siblings looked at per leaf span; beyond it a leaf's self time is its duration. */
const MAX_SIBLINGS = 64;

/**
 * Self time of a span without children: its duration, less the time a sibling of the same
 * service that calls out (has children of its own) runs beside it. An asynchronous handler span
 * that wraps the request while a sibling client span makes the actual call (Spring's
 * FilteringWebHandler.handle beside the gateway's HTTP POST on TrainTicket) would otherwise own
 * the whole request's time.
 */
function leafSelf(
  i: number,
  parent: number,
  first: Int32Array,
  kids: Int32Array,
  service: readonly string[],
  start: Float64Array,
  end: Float64Array,
): number {
  const d = end[i]! - start[i]!;
  if (parent < 0) return d;
  const lo = first[parent]!;
  const hi = first[parent + 1]!;
  if (hi - lo < 2 || hi - lo > MAX_SIBLINGS) return d;
  const cover: Array<[number, number]> = [];
  for (let j = lo; j < hi; j++) {
    const k = kids[j]!;
    if (k === i || service[k] !== service[i] || first[k + 1]! === first[k]!) continue;
    const s = Math.max(start[k]!, start[i]!);
    const e = Math.min(end[k]!, end[i]!);
    if (e > s) cover.push([s, e]);
  }
  if (cover.length === 0) return d;
  cover.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let [cs, ce] = cover[0]!;
  for (const [s, e] of cover) {
    if (s <= ce) ce = Math.max(ce, e);
    else {
      covered += ce - cs;
      cs = s;
      ce = e;
    }
  }
  covered += ce - cs;
  return Math.max(0, d - covered);
}

/**
 * Marks the critical path: from a span's end, the child that ended last before the cursor is on
 * the path, then the cursor moves to that child's start (the same walk as the alert's critical
 * path, on indices). Explicit stack.
 */
function markCritical(
  root: number,
  first: Int32Array,
  kids: Int32Array,
  start: Float64Array,
  end: Float64Array,
  critical: Uint8Array,
): void {
  const stack: Array<{ span: number; cursor: number }> = [{ span: root, cursor: end[root]! }];
  critical[root] = 1;
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    let best = -1;
    for (let j = first[f.span]!; j < first[f.span + 1]!; j++) {
      const k = kids[j]!;
      if (critical[k] === 1 || start[k]! >= f.cursor) continue;
      if (best < 0 || Math.min(end[k]!, f.cursor) > Math.min(end[best]!, f.cursor)) best = k;
    }
    if (best < 0) {
      stack.pop();
      continue;
    }
    critical[best] = 1;
    f.cursor = Math.max(start[best]!, start[f.span]!);
    stack.push({ span: best, cursor: end[best]! });
  }
}
