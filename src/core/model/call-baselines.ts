import type { CallScores, MissingCall, UnexpectedError } from "../../domain/features.js";
import type { SpanProfile } from "../features/span-profile.js";
import type { LiveShare, Ring } from "./live-share.js";

/**
 * Code-level baselines: which operations a request type calls in (almost) every trace, and how
 * often each operation fails. A service that returns early or throws leaves no slower trace: the
 * calls it would have made are missing, or one of its operations that never fails reports errors.
 */

/** How often one operation occurs in one request type's traces. */
export interface TypeCall {
  /** Traces of the type holding at least one span of the operation. */
  readonly present: number;
  /** The operation's usual parent operation in the type (`""` for the root). */
  readonly parent: string;
}

/** One request type's learned traces and the operations most of them hold. */
export interface TypeCalls {
  /** Traces of the type learned. */
  readonly traces: number;
  /** Operations present in at least {@link STORED_PRESENCE} of them, sorted by key. */
  readonly ops: ReadonlyArray<readonly [string, TypeCall]>;
}

/** Spans and ERROR spans of one operation, over all types. */
export interface OperationErrors {
  readonly spans: number;
  readonly errors: number;
}

/** What training keeps for code-level scoring (part of the operation snapshot). */
export interface CallSnapshot {
  readonly types: ReadonlyArray<readonly [string, TypeCalls]>;
  readonly errors: ReadonlyArray<readonly [string, OperationErrors]>;
  /**
   * Per operation (over all types): the traces holding it and the child operations its spans
   * have in at least {@link STORED_PRESENCE} of them. Optional within calls.
   */
  readonly children?: ReadonlyArray<readonly [string, OperationChildren]>;
}

/** The child operations one operation's spans usually have. */
export interface OperationChildren {
  /** Traces holding the operation. */
  readonly traces: number;
  /** Child operation → traces where a span of the operation had a child of it, sorted by key. */
  readonly calls: ReadonlyArray<readonly [string, number]>;
}

/**
 * How many times its baseline absence rate (upper bound) a usual call's recent absence rate
 * (lower bound) must be for traces without it to count as missing it: the live absence shares'
 * default factor.
 */
export const ABSENCE_SURGE_FACTOR = 3;

/**
 * Operations kept per type in the artifact: those in at least this share of its traces. An
 * operation is "always called" by the confidence bound of {@link CallScoring}; the others kept are
 * the usual calls whose absence can still surge {@link ABSENCE_SURGE_FACTOR}-fold, which a higher
 * absence rate cannot.
 */
export const STORED_PRESENCE = (ABSENCE_SURGE_FACTOR - 1) / ABSENCE_SURGE_FACTOR;

/** Options of {@link CallBaselines}. */
export interface CallScoring {
  /**
   * An operation counts as always called by its type when the upper confidence bound of its
   * absence rate is below this, and as never failing when the bound of its error rate is.
   * Default 0.01.
   */
  readonly maxRate?: number;
  /** One-sided confidence of the bounds (normal quantile). Default 1.645 (95%). */
  readonly z?: number;
  /** Missing calls and unexpected errors listed as evidence. Default 10. */
  readonly evidence?: number;
}

/**
 * Wilson score upper bound of a binomial proportion: `k` events in `n` trials at normal quantile
 * `z`. With k = 0 it is z²/(n + z²): at 95% about 270 trials are needed before the bound falls
 * below 1%, so a type or operation with little history never counts as certain.
 */
export function wilsonUpper(k: number, n: number, z = 1.645): number {
  return n <= 0 ? 1 : Math.min(1, wilson(k, n, z, 1));
}

/** Wilson score lower bound of a binomial proportion (see {@link wilsonUpper}); 0 without trials. */
export function wilsonLower(k: number, n: number, z = 1.645): number {
  return n <= 0 ? 0 : Math.max(0, wilson(k, n, z, -1));
}

/** The Wilson score interval's bound on the side of `sign` (1 upper, −1 lower); n > 0. */
function wilson(k: number, n: number, z: number, sign: 1 | -1): number {
  const p = k / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return (centre + sign * spread) / (1 + z2 / n);
}

interface Required {
  readonly op: string;
  readonly service: string;
  readonly parent: string;
  readonly presence: number;
}

/** A usual call, with its live absence share's key and ring (taken at a generation). */
interface Usual extends Required {
  readonly key: string;
  /** The upper confidence bound of the baseline's absence rate (at least the max rate). */
  readonly expected: number;
  ring: Ring | null;
  generation: number;
}

function usualCall(r: Required, key: string, expected: number): Usual {
  return { ...r, key, expected, ring: null, generation: -1 };
}

/**
 * The live absence shares a trace's usual calls are counted in, at event time `atMs` (the
 * trace's end), and whether the trace is slower than its type's p99.
 */
export interface LiveCalls {
  readonly share: LiveShare;
  readonly atMs: number;
  /**
   * A service that returns early or throws makes its traces shorter: usual calls absent from a
   * trace slower than its type's p99 are a symptom of the slowness (a timeout, a fallback), which
   * the latency rules judge, and do not count as missing however much their absence surges.
   */
  readonly slow: boolean;
}

const NONE_MISSING: readonly MissingCall[] = Object.freeze([]);
const NONE_ERRORS: readonly UnexpectedError[] = Object.freeze([]);

/** The service of an operation key `service|KIND|name`. */
export function serviceOf(op: string): string {
  const bar = op.indexOf("|");
  return bar < 0 ? op : op.slice(0, bar);
}

/** A trained model's code-level baselines, indexed for scoring. Immutable. */
export class CallBaselines {
  /** Per type, the operations it always calls (by the bound). */
  private readonly required = new Map<string, readonly Required[]>();
  /** Per operation, the child operations its spans always have (by the bound). */
  private readonly children = new Map<string, readonly Required[]>();
  /**
   * Per type, the operations it usually calls without being certain to (stored, not always): a
   * trace without one counts as missing it while its type's recent absence rate surges.
   */
  private readonly usual = new Map<string, readonly Usual[]>();
  /** Per operation, the child operations its spans usually have, likewise. */
  private readonly usualChildren = new Map<string, readonly Usual[]>();
  /** Operations whose error rate is near zero (by the bound), with that rate. */
  private readonly quiet = new Map<string, number>();
  private readonly evidence: number;

  constructor(snapshot: CallSnapshot, o: CallScoring = {}) {
    const max = o.maxRate ?? 0.01;
    const z = o.z ?? 1.645;
    this.evidence = o.evidence ?? 10;
    for (const [type, t] of snapshot.types) {
      const req: Required[] = [];
      const usual: Usual[] = [];
      for (const [op, c] of t.ops) {
        const absent = wilsonUpper(t.traces - c.present, t.traces, z);
        const r = { op, service: serviceOf(op), parent: c.parent, presence: c.present / t.traces };
        if (absent < max) req.push(r);
        else usual.push(usualCall(r, `${type}\u0000${op}`, Math.max(max, absent)));
      }
      if (req.length > 0) this.required.set(type, req);
      if (usual.length > 0) this.usual.set(type, usual);
    }
    for (const [parent, c] of snapshot.children ?? []) {
      const req: Required[] = [];
      const usual: Usual[] = [];
      for (const [op, n] of c.calls) {
        const absent = wilsonUpper(c.traces - n, c.traces, z);
        const r = {
          op: op === ANY_CALL ? `${parent} ${ANY_CALL}` : op,
          service: serviceOf(op === ANY_CALL ? parent : op),
          parent,
          presence: n / c.traces,
        };
        if (absent < max) req.push(r);
        else usual.push(usualCall(r, `${parent}\u0001${op}`, Math.max(max, absent)));
      }
      if (req.length > 0) this.children.set(parent, req);
      if (usual.length > 0) this.usualChildren.set(parent, usual);
    }
    for (const [op, e] of snapshot.errors)
      if (wilsonUpper(e.errors, e.spans, z) < max) this.quiet.set(op, e.errors / e.spans);
  }

  /** Request types with at least one always-called operation. */
  get typesWithCalls(): number {
    return this.required.size;
  }

  /**
   * Scores a trace of type `type`:
   * - `missing_calls`: the type's always-called operations without a span in the trace;
   * - `unexpected_errors`: ERROR spans of operations whose error rate is near zero;
   * - the missing-calls culprit: the service of the usual parent of the missing operations whose
   *   parent is in the trace (where the missing part of the tree was cut off: the caller that
   *   returned early or threw before making the calls), the most named one (ties: the one whose
   *   cut-off call comes first in key order); without such a parent, the parent service of the
   *   first missing operation;
   * - the errors culprit: the service of the deepest such ERROR span (ties: the first in the trace).
   */
  score(type: string, p: SpanProfile, live?: LiveCalls): CallScores {
    const req = this.required.get(type);
    const usual = live === undefined ? undefined : this.usual.get(type);
    const anyChildren = this.children.size > 0 || (live !== undefined && this.usualChildren.size > 0);
    let missing: MissingCall[] | undefined;
    let missingCount = 0;
    let missingCulprit: string | null = null;
    if (req !== undefined || usual !== undefined || anyChildren) {
      // First span of each operation in the trace, and the child operations of each operation.
      const first = new Map<string, number>();
      let kids: Map<string, Set<string>> | undefined;
      for (let i = 0; i < p.n; i++) {
        if (p.skip[i] === 1) continue;
        const op = p.op[i] as string;
        if (!first.has(op)) first.set(op, i);
        const parent = p.parent[i] as number;
        if (parent < 0 || !anyChildren) continue;
        const pk = p.op[parent] as string;
        let set = (kids ??= new Map<string, Set<string>>()).get(pk);
        if (set === undefined) kids.set(pk, (set = new Set<string>()));
        set.add(op);
      }
      const counted = new Set<string>();
      let cutDepth = -1;
      const miss = (r: Required): void => {
        if (counted.has(r.op)) return;
        counted.add(r.op);
        missingCount++;
        if ((missing ??= []).length < this.evidence)
          missing.push({ operation: r.op, service: r.service, parent: r.parent, presence: r.presence });
        const at = r.parent === "" ? undefined : first.get(r.parent);
        if (at === undefined) return;
        const depth = depthOf(p, at);
        if (depth > cutDepth) {
          cutDepth = depth;
          missingCulprit = p.service[at] as string;
        }
      };
      const absentChild = (r: Required, have: Set<string> | undefined): boolean =>
        r.op.endsWith(ANY_CALL) ? have === undefined : have === undefined || !have.has(r.op);
      for (const [op] of first) {
        const have = kids?.get(op);
        const need = this.children.get(op);
        if (need !== undefined) for (const r of need) if (absentChild(r, have)) miss(r);
        const often = live === undefined ? undefined : this.usualChildren.get(op);
        if (often !== undefined && live !== undefined)
          for (const r of often) if (this.surges(r, absentChild(r, have), live)) miss(r);
      }
      if (req !== undefined) for (const r of req) if (!first.has(r.op)) miss(r);
      if (usual !== undefined && live !== undefined)
        for (const r of usual) if (this.surges(r, !first.has(r.op), live)) miss(r);
      if (missingCulprit === null && missing !== undefined) {
        const parent = (missing[0] as MissingCall).parent;
        if (parent !== "") missingCulprit = serviceOf(parent);
      }
    }
    let errors: UnexpectedError[] | undefined;
    let errorCount = 0;
    let errorCulprit: string | null = null;
    let deepest = -1;
    if (this.quiet.size > 0) {
      for (let i = 0; i < p.n; i++) {
        if (p.error[i] !== 1 || p.skip[i] === 1) continue;
        const rate = this.quiet.get(p.op[i] as string);
        if (rate === undefined) continue;
        errorCount++;
        const depth = depthOf(p, i);
        if (depth > deepest) {
          deepest = depth;
          errorCulprit = p.service[i] as string;
        }
        if ((errors ??= []).length < this.evidence)
          errors.push({
            operation: p.op[i] as string,
            service: p.service[i] as string,
            spanId: p.spanId[i] as string,
            baselineRate: rate,
            depth,
          });
      }
    }
    return {
      missing_calls: missingCount,
      unexpected_errors: errorCount,
      missing: missing ?? NONE_MISSING,
      errors: errors ?? NONE_ERRORS,
      missing_culprit: missingCount === 0 ? null : missingCulprit,
      error_culprit: errorCulprit,
    };
  }

  /**
   * Counts a usual call's presence or absence (`absent`) in its live share, and whether a trace
   * lacking it counts as missing it: the recent absence rate surges over its baseline's.
   */
  private surges(r: Usual, absent: boolean, live: LiveCalls): boolean {
    const share = live.share;
    if (r.ring === null || r.generation !== share.generation) {
      r.ring = share.ring(r.key, live.atMs);
      r.generation = share.generation;
    }
    share.count(r.ring, absent, live.atMs);
    return absent && !live.slow && share.surgingOf(r.ring, live.atMs, r.expected);
  }
}

/** Depth of span `i` (roots 0); bounded by the span count, so a repaired graph cannot loop. */
function depthOf(p: SpanProfile, i: number): number {
  let d = 0;
  for (let a = p.parent[i] as number; a >= 0 && d < p.n; a = p.parent[a] as number) d++;
  return d;
}

/** Counts of one operation in one (bucket, type) cell while the window fills. */
interface CallCount {
  present: number;
  /** Child operation → traces where a span of this operation had a child of it. */
  children?: Map<string, { n: number; stamp: number }>;
  spans: number;
  errors: number;
  /**
   * The {@link ANY_CALL} entry of `children` (its first, made with it): counted for every span with
   * a parent of this operation, so it is kept at hand rather than looked up each time.
   */
  anyCall?: { n: number; stamp: number };
  /** Traces this operation was last counted in (so each trace counts once). */
  stamp: number;
  /**
   * Parent operations, at most {@link MAX_PARENTS} in the order first seen, and the traces where
   * each was the parent: arrays scanned by identity (a trace's operation keys are shared strings).
   */
  readonly parentKeys: string[];
  readonly parentCounts: number[];
}

const MAX_PARENTS = 4;
/**
 * The child "operation" standing for any call: an operation whose spans always call out, here
 * without a single child, returned before its first call.
 */
export const ANY_CALL = "(any call)";

/** Child operations counted per operation and cell. */
const MAX_CHILDREN = 64;

/** Per (bucket, type) cell: presence and error counts of learned traces, flagged ones apart. */
export class CallCell {
  traces = 0;
  flagged = 0;
  private readonly ops = new Map<string, CallCount>();
  private flaggedOps: Map<string, CallCount> | undefined;
  private seq = 0;

  constructor(private readonly maxOps: number) {}

  /** Adds one trace's spans; `flagged` traces are kept apart (see {@link CallWindowMerge}). */
  add(p: SpanProfile, flagged: boolean): void {
    const stamp = ++this.seq;
    let ops: Map<string, CallCount>;
    if (flagged) {
      this.flagged++;
      ops = this.flaggedOps ??= new Map();
    } else {
      this.traces++;
      ops = this.ops;
    }
    const counts = resolved.length < p.n ? (resolved = new Array<CallCount | undefined>(2 * p.n)) : resolved;
    for (let i = 0; i < p.n; i++) {
      counts[i] = undefined;
      if (p.skip[i] === 1) continue;
      const key = p.op[i] as string;
      let c = ops.get(key);
      if (c === undefined) {
        if (ops.size >= this.maxOps) continue;
        ops.set(key, (c = { present: 0, spans: 0, errors: 0, stamp: 0, parentKeys: [], parentCounts: [] }));
      }
      counts[i] = c;
      c.spans++;
      if (p.error[i] === 1) c.errors++;
      if (c.stamp === stamp) continue;
      c.stamp = stamp;
      c.present++;
      const parent = p.parent[i] as number;
      countParent(c, parent < 0 ? "" : (p.op[parent] as string));
    }
    // Child operations per parent operation, once per trace and (parent, child). A parent's count
    // is the one its own span found above: the map only grew since, and an operation left out for
    // lack of room stays out.
    for (let i = 0; i < p.n; i++) {
      const parent = p.parent[i] as number;
      if (parent < 0 || p.skip[i] === 1 || p.skip[parent] === 1) continue;
      const pc = counts[parent];
      if (pc === undefined) continue;
      let any = pc.anyCall;
      if (any === undefined) {
        any = pc.anyCall = { n: 0, stamp: 0 };
        pc.children = new Map([[ANY_CALL, any]]);
      }
      if (any.stamp !== stamp) {
        any.stamp = stamp;
        any.n++;
      }
      countChild(pc.children as Map<string, { n: number; stamp: number }>, p.op[i] as string, stamp);
    }
  }

  /** Adds this cell's counts into `into`, its flagged traces' too when `withFlagged`. */
  mergeInto(into: CallWindowMerge, type: string, withFlagged: boolean): void {
    into.add(type, this.traces, this.ops);
    if (withFlagged && this.flaggedOps !== undefined) into.add(type, this.flagged, this.flaggedOps);
  }
}

/**
 * Per span of the trace being added, its operation's count in the cell (undefined when skipped or
 * left out): scratch space reused by every cell (the core is single-threaded), written for every
 * span before it is read, not cleared after (it may hold on to a trace's worth of counts).
 */
let resolved: Array<CallCount | undefined> = new Array<CallCount | undefined>(256);

function countParent(c: CallCount, key: string): void {
  const keys = c.parentKeys;
  for (let j = 0; j < keys.length; j++) {
    if (keys[j] === key) {
      c.parentCounts[j]!++;
      return;
    }
  }
  if (keys.length < MAX_PARENTS) {
    keys.push(key);
    c.parentCounts.push(1);
  }
}

function countChild(children: Map<string, { n: number; stamp: number }>, key: string, stamp: number): void {
  let k = children.get(key);
  if (k === undefined) {
    if (children.size >= MAX_CHILDREN) return;
    children.set(key, (k = { n: 0, stamp: 0 }));
  }
  if (k.stamp === stamp) return;
  k.stamp = stamp;
  k.n++;
}

interface MergedCount {
  present: number;
  readonly parents: Map<string, number>;
}

/** Merges cells of the live buckets into a {@link CallSnapshot}. */
export class CallWindowMerge {
  private readonly types = new Map<string, { traces: number; ops: Map<string, MergedCount> }>();
  private readonly errors = new Map<string, { spans: number; errors: number }>();
  private readonly parents = new Map<string, { traces: number; calls: Map<string, number> }>();

  add(type: string, traces: number, ops: ReadonlyMap<string, CallCount>): void {
    let t = this.types.get(type);
    if (t === undefined) this.types.set(type, (t = { traces: 0, ops: new Map() }));
    t.traces += traces;
    for (const [key, c] of ops) {
      let m = t.ops.get(key);
      if (m === undefined) t.ops.set(key, (m = { present: 0, parents: new Map() }));
      m.present += c.present;
      for (let j = 0; j < c.parentKeys.length; j++) {
        const pk = c.parentKeys[j] as string;
        m.parents.set(pk, (m.parents.get(pk) ?? 0) + (c.parentCounts[j] as number));
      }
      let e = this.errors.get(key);
      if (e === undefined) this.errors.set(key, (e = { spans: 0, errors: 0 }));
      e.spans += c.spans;
      e.errors += c.errors;
      let pc = this.parents.get(key);
      if (pc === undefined) this.parents.set(key, (pc = { traces: 0, calls: new Map() }));
      pc.traces += c.present;
      if (c.children !== undefined)
        for (const [child, k] of c.children) pc.calls.set(child, (pc.calls.get(child) ?? 0) + k.n);
    }
  }

  snapshot(): CallSnapshot {
    const types: Array<[string, TypeCalls]> = [];
    for (const [type, t] of this.types) {
      if (t.traces === 0) continue;
      const ops: Array<[string, TypeCall]> = [];
      for (const [key, m] of t.ops) {
        if (m.present < STORED_PRESENCE * t.traces) continue;
        let parent = "";
        let best = -1;
        for (const [pk, n] of m.parents) {
          if (n > best || (n === best && pk < parent)) {
            best = n;
            parent = pk;
          }
        }
        ops.push([key, { present: m.present, parent }]);
      }
      ops.sort((a, b) => (a[0] < b[0] ? -1 : 1));
      types.push([type, { traces: t.traces, ops }]);
    }
    types.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const errors = [...this.errors].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const children: Array<[string, OperationChildren]> = [];
    for (const [op, pc] of this.parents) {
      const calls = [...pc.calls]
        .filter(([, n]) => n >= STORED_PRESENCE * pc.traces)
        .sort((a, b) => (a[0] < b[0] ? -1 : 1));
      if (calls.length > 0) children.push([op, { traces: pc.traces, calls }]);
    }
    children.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    return { types, errors, children };
  }
}
