import type { TraceFeatures } from "../../domain/features.js";
import type { SpanProfile } from "../features/span-profile.js";
import type { Clock } from "../clock.js";
import { allowedTail, incidentBuckets, type HoldBackPolicy } from "./hold-back.js";
import { LogSketch } from "./sketch.js";
import { CallCell, CallWindowMerge } from "./call-baselines.js";
import type { TraceFlag } from "./window-bucket.js";
import {
  robustTypeP99,
  type OperationStats,
  type OperationSnapshot,
  type TypeStats,
} from "./op-baselines.js";

/** Options of {@link OperationWindow}: the rolling window's geometry, and caps. */
export interface OperationWindowOptions {
  readonly clock: Clock;
  /** Window length, ms (the training window's). */
  readonly windowMs: number;
  /** Bucket length, ms (the training window's, so that both roll together). */
  readonly bucketMs: number;
  /**
   * Operations tracked per bucket; spans of further operations go to {@link OVERFLOW_OPERATION}.
   * Default 1,000.
   */
  readonly maxOperations?: number;
  /** Request types tracked per bucket; further types are counted, not kept. Default 1,000. */
  readonly maxTypes?: number;
  /** Entry operations remembered per request type (its prior). Default 16. */
  readonly maxTypeOperations?: number;
  /**
   * Learn flagged traces too, except in buckets judged to hold an incident (the training window's
   * rule). Default false: only traces the model did not flag are learned (see docs/model.md).
   */
  readonly learnFlagged?: boolean;
  /** Operations counted per (bucket, request type) for its usual calls. Default 256. */
  readonly maxTypeCallOperations?: number;
}

/** Key the spans of operations past the cap are kept under. */
export const OVERFLOW_OPERATION = "(other operations)";

interface OpCell {
  readonly duration: LogSketch;
  readonly self: LogSketch;
  /** Spans of flagged traces, kept apart so an incident bucket can leave them out. */
  flaggedDuration?: LogSketch;
  flaggedSelf?: LogSketch;
}

interface TypeCell {
  readonly total: LogSketch;
  /** Durations of the type's flagged traces an alert rule matched (or not known to be unmatched). */
  flaggedTotal?: LogSketch;
  /** Durations of the type's flagged traces no alert rule matched: the normal tail drawn first. */
  flaggedQuiet?: LogSketch;
  /** Scored and flagged traces of the type in the bucket (for the per-cell tail judgment). */
  scored: number;
  flagged: number;
  /** Operations the root calls directly: the type's prior. */
  readonly ops: Set<string>;
  /** The root span's operation (the prior when the root calls nothing). */
  rootOp?: string;
}

class OpBucket {
  scored = 0;
  flagged = 0;
  readonly ops = new Map<string, OpCell>();
  readonly types = new Map<string, TypeCell>();
  /** Per request type: which operations its traces hold, and their errors. */
  readonly calls = new Map<string, CallCell>();
  constructor(readonly startMs: number) {}
}

/**
 * Streaming per-operation baselines: per time bucket of the rolling window, DDSketch-style
 * sketches ({@link LogSketch}) of span duration and self time per operation (service, span kind,
 * name), and of total_duration per request type. Buckets expire with the window; a snapshot
 * merges them, leaving out the flagged traces of buckets that hold an incident (the same
 * judgment as the training window's, {@link incidentBuckets}). Memory: per bucket at most
 * maxOperations × 2 sketches (about 0.5-1 KiB each) plus maxTypes sketches.
 */
export class OperationWindow {
  private readonly buckets = new Map<number, OpBucket>();
  private readonly maxOperations: number;
  private readonly maxTypes: number;
  private readonly maxTypeOps: number;
  private typesDropped = 0;
  private lastCutoffBucket = Number.NaN;
  private readonly learnFlagged: boolean;
  private readonly maxCallOps: number;
  private readonly cells = new CellMemo();

  constructor(private readonly o: OperationWindowOptions) {
    this.maxCallOps = o.maxTypeCallOperations ?? 256;
    this.maxOperations = o.maxOperations ?? 1_000;
    this.maxTypes = o.maxTypes ?? 1_000;
    this.maxTypeOps = o.maxTypeOperations ?? 16;
    this.learnFlagged = o.learnFlagged ?? false;
  }

  /**
   * Adds a trace's spans (by the trace's event time). Without a profile only the type's duration is
   * kept. `alerted`: whether an alert rule matched the trace; in a cell judged an incident the
   * type's normal tail is drawn first from flagged traces with false (see snapshot); undefined
   * (not known) counts as matched.
   */
  observe(f: TraceFeatures, p: SpanProfile | undefined, flag: TraceFlag, alerted?: boolean): void {
    const b = this.bucketFor(f.startTimeMs);
    if (b === null) return;
    const flagged = flag === "flagged";
    if (flag !== "unscored") b.scored++;
    if (flagged) b.flagged++;
    let t = b.types.get(f.group_key);
    if (t === undefined && b.types.size < this.maxTypes) {
      b.types.set(f.group_key, (t = { total: new LogSketch(), ops: new Set(), scored: 0, flagged: 0 }));
    } else if (t === undefined) this.typesDropped++;
    if (t !== undefined) {
      if (flag !== "unscored") t.scored++;
      if (!flagged) t.total.add(f.total_duration);
      else {
        t.flagged++;
        if (alerted === false) (t.flaggedQuiet ??= new LogSketch()).add(f.total_duration);
        else (t.flaggedTotal ??= new LogSketch()).add(f.total_duration);
      }
    }
    if (p === undefined || (flagged && !this.learnFlagged)) return;
    const rootService = p.root >= 0 ? p.service[p.root] : undefined;
    const memo = this.cells;
    for (let i = 0; i < p.n; i++) {
      if (p.skip[i] === 1) continue;
      const id = p.opId[i] as number;
      let key = p.op[i] as string;
      let c: OpCell | undefined;
      if (memo.keys[id] === key && memo.buckets[id] === b) {
        c = memo.cells[id] as OpCell;
        key = memo.keyed[id] as string;
      } else {
        c = b.ops.get(key);
        if (c === undefined) {
          if (b.ops.size >= this.maxOperations) key = OVERFLOW_OPERATION;
          c = b.ops.get(key);
          if (c === undefined) b.ops.set(key, (c = { duration: new LogSketch(), self: new LogSketch() }));
        }
        memo.remember(id, p.op[i] as string, b, c, key);
      }
      if (flagged) {
        (c.flaggedDuration ??= new LogSketch()).addPairAt(
          p.durationMs,
          (c.flaggedSelf ??= new LogSketch()),
          p.selfMs,
          i,
        );
      } else c.duration.addPairAt(p.durationMs, c.self, p.selfMs, i);
      if (t === undefined) continue;
      if (i === p.root) t.rootOp = key;
      else if (t.ops.size < this.maxTypeOps && isEntry(p, i, rootService)) t.ops.add(key);
    }
  }

  /**
   * Counts which operations a trace holds and which of its spans failed, for its request type's
   * usual calls and its operations' error rates. `flagged` traces (by the model, or with missing
   * calls or unexpected errors) are kept apart: the snapshot learns them only where the (bucket,
   * type) cell holds no more of them than the normal tail. Every trace is counted, errors or not.
   */
  observeCalls(f: TraceFeatures, p: SpanProfile, flagged: boolean): void {
    const b = this.bucketFor(f.startTimeMs);
    if (b === null) return;
    let c = b.calls.get(f.group_key);
    if (c === undefined) {
      if (b.calls.size >= this.maxTypes) return;
      b.calls.set(f.group_key, (c = new CallCell(this.maxCallOps)));
    }
    c.add(p, flagged);
  }

  /** The bucket of event time `atMs` (made if new); null when it ended before the window. */
  private bucketFor(atMs: number): OpBucket | null {
    const id = Math.floor(atMs / this.o.bucketMs);
    const cutoff = this.o.clock.now() - this.o.windowMs;
    if ((id + 1) * this.o.bucketMs <= cutoff) return null;
    this.expire(cutoff);
    let b = this.buckets.get(id);
    if (b === undefined) this.buckets.set(id, (b = new OpBucket(id * this.o.bucketMs)));
    return b;
  }

  /** Drops buckets that ended before `cutoff` (default now − window). */
  expire(cutoff = this.o.clock.now() - this.o.windowMs): void {
    // Which buckets are expired only changes when the cutoff crosses a bucket boundary.
    const cutoffBucket = Math.floor(cutoff / this.o.bucketMs);
    if (cutoffBucket === this.lastCutoffBucket) return;
    this.lastCutoffBucket = cutoffBucket;
    for (const [id, b] of this.buckets) {
      if (b.startMs + this.o.bucketMs > cutoff) continue;
      this.buckets.delete(id);
      // Nothing remembered may keep an expired bucket alive.
      this.cells.clear();
    }
  }

  /** Live buckets and types not kept for lack of room. */
  stats(): { buckets: number; operations: number; typesDropped: number } {
    let ops = 0;
    for (const b of this.buckets.values()) ops += b.ops.size;
    return { buckets: this.buckets.size, operations: ops, typesDropped: this.typesDropped };
  }

  /**
   * Merges the live buckets into per-operation and per-type statistics. A bucket judged to hold an
   * incident under `policy` gives only its unflagged traces; others give all.
   */
  snapshot(policy?: HoldBackPolicy, minTypeSamples = 30): OperationSnapshot {
    this.expire();
    const live = [...this.buckets.values()].sort((a, b) => a.startMs - b.startMs);
    const incident = incidentBuckets(live, policy);
    const ops = new Map<string, { duration: LogSketch; self: LogSketch }>();
    const typeBuckets = new Map<string, LogSketch[]>();
    const typeOps = new Map<string, Set<string>>();
    const rootOps = new Map<string, string>();
    const calls = new CallWindowMerge();
    live.forEach((b, i) => {
      for (const [key, c] of b.calls) {
        const total = c.traces + c.flagged;
        c.mergeInto(calls, key, policy === undefined || c.flagged <= allowedTail(total, policy));
      }
      const withFlagged = this.learnFlagged && !(incident[i] as boolean);
      for (const [key, c] of b.ops) {
        let m = ops.get(key);
        if (m === undefined) ops.set(key, (m = { duration: new LogSketch(), self: new LogSketch() }));
        m.duration.merge(c.duration);
        m.self.merge(c.self);
        if (withFlagged && c.flaggedDuration !== undefined) m.duration.merge(c.flaggedDuration);
        if (withFlagged && c.flaggedSelf !== undefined) m.self.merge(c.flaggedSelf);
      }
      for (const [key, t] of b.types) {
        const s = new LogSketch();
        s.merge(t.total);
        // The type's flagged traces are its normal tail unless the (bucket, type) cell holds
        // clearly more of them than that (the training window's test, per cell): leaving the
        // tail out would put the p99 at about the 95th percentile of normal traffic. In such a
        // cell the normal tail is still there, among the flagged: as many of them are learned as
        // the tail holds by construction (tailShare of the scored traces, normalTailCount), so the
        // incident's excess stays out. They are drawn first from the flagged traces no alert rule
        // matched, evenly over their durations (the rules judged them normal; they hold the slow
        // normal tail when the incident's traces are faster, failing fast or erring near the slow
        // end), then from the fastest of those a rule matched.
        const quiet = t.flaggedQuiet;
        if (policy === undefined || t.flagged <= allowedTail(t.scored, policy)) {
          if (quiet !== undefined) s.merge(quiet);
          if (t.flaggedTotal !== undefined) s.merge(t.flaggedTotal);
        } else {
          const tail = normalTailCount(t.scored, t.flagged, policy);
          let taken = 0;
          if (quiet !== undefined) {
            taken = Math.min(tail, quiet.count);
            s.mergeThinned(quiet, taken);
          }
          if (t.flaggedTotal !== undefined) s.mergeLowest(t.flaggedTotal, tail - taken);
        }
        let list = typeBuckets.get(key);
        if (list === undefined) typeBuckets.set(key, (list = []));
        list.push(s);
        let set = typeOps.get(key);
        if (set === undefined) typeOps.set(key, (set = new Set()));
        for (const o of t.ops) if (set.size < this.maxTypeOps) set.add(o);
        if (t.rootOp !== undefined) rootOps.set(key, t.rootOp);
      }
    });
    const opStats: Array<[string, OperationStats]> = [];
    for (const [key, m] of ops) {
      opStats.push([
        key,
        {
          count: m.duration.count,
          p50: m.duration.quantile(0.5),
          p99: m.duration.quantile(0.99),
          selfP50: m.self.quantile(0.5),
          selfP99: m.self.quantile(0.99),
        },
      ]);
    }
    opStats.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const opIndex = new Map(opStats);
    const types: Array<[string, TypeStats]> = [];
    for (const [key, sketches] of typeBuckets) {
      const direct = [...(typeOps.get(key) ?? [])].sort();
      types.push([key, robustTypeP99(sketches, direct, opIndex, minTypeSamples, rootOps.get(key))]);
    }
    types.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const callSnapshot = calls.snapshot();
    return callSnapshot.types.length === 0 && callSnapshot.errors.length === 0
      ? { operations: opStats, types }
      : { operations: opStats, types, calls: callSnapshot };
  }
}

/**
 * Per operation id, the cell its spans went to in the bucket they last went to, and the key it is
 * kept under there ({@link OVERFLOW_OPERATION} past the cap): most traces fall in the latest
 * bucket, so this spares a map lookup by string per span. Valid while the key and the bucket
 * match: a bucket's operation never changes cell (operations are only added, the cap only
 * reached), and an id given again to another operation has another key (see OperationMemo).
 */
class CellMemo {
  readonly keys: Array<string | undefined> = [];
  readonly buckets: Array<OpBucket | undefined> = [];
  readonly cells: Array<OpCell | undefined> = [];
  readonly keyed: Array<string | undefined> = [];

  clear(): void {
    this.keys.length = 0;
    this.buckets.length = 0;
    this.cells.length = 0;
    this.keyed.length = 0;
  }

  remember(id: number, key: string, bucket: OpBucket, cell: OpCell, keyed: string): void {
    while (this.keys.length <= id) {
      this.keys.push(undefined);
      this.buckets.push(undefined);
      this.cells.push(undefined);
      this.keyed.push(undefined);
    }
    this.keys[id] = key;
    this.buckets[id] = bucket;
    this.cells[id] = cell;
    this.keyed[id] = keyed;
  }
}

/**
 * Flagged traces of a (bucket, type) cell judged an incident that are taken as its normal tail.
 * The calibration flags a share tailShare of normal traffic, so the cell's unflagged traces are
 * the other 1 − tailShare of its normal traffic, and its normal tail is about
 * unflagged × tailShare / (1 − tailShare) of the flagged (at most all of them); the rest is the
 * incident.
 */
export function normalTailCount(scored: number, flagged: number, policy: HoldBackPolicy): number {
  const share = Math.min(Math.max(policy.tailShare, 0), 1);
  if (share >= 1) return flagged;
  const unflagged = Math.max(0, scored - flagged);
  return Math.max(0, Math.min(flagged, Math.floor((unflagged * share) / (1 - share))));
}

/**
 * Whether span `i` is one of its trace's entry calls: the first span in another service below the
 * root's service (what the "entry" group key names). On a shared gateway these operations are
 * specific to the request type, where the root's own operation and the gateway's client spans
 * are shared by all types.
 */
function isEntry(p: SpanProfile, i: number, rootService: string | undefined): boolean {
  if (p.service[i] === rootService) return false;
  for (let a = p.parent[i] as number; a >= 0; a = p.parent[a] as number) {
    if (p.service[a] !== rootService) return false;
    if (a === p.root) return true;
  }
  return false;
}
