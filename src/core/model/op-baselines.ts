import type { SlowShare } from "./slow-share.js";
import type { SpanExcess, SpanScores } from "../../domain/features.js";
import { OperationMemo, type SpanProfile } from "../features/span-profile.js";
import { LogSketch } from "./sketch.js";
import type { CallSnapshot } from "./call-baselines.js";

/** Baseline of one operation (service, span kind, name), ms. */
export interface OperationStats {
  /** Spans the statistics come from. */
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  /** Self time (duration minus children), median and p99. */
  readonly selfP50: number;
  readonly selfP99: number;
}

/** `p99_baseline` of one request type and how it was obtained. */
export interface TypeStats {
  /** Traces of the type in the learned part of the window. */
  readonly count: number;
  /** The type's own robust p99 (median over time chunks of the chunk p99s); null without traces. */
  readonly ownP99: number | null;
  /** Prior from the type's operations: sum of the p99s of its entry operations (see robustTypeP99). */
  readonly priorP99: number | null;
  /** The p99 used: (count·own + k·prior)/(count + k), or whichever of the two exists. */
  readonly p99: number;
}

/** What training takes from the operation window: plain data, sorted by key. */
export interface OperationSnapshot {
  readonly operations: ReadonlyArray<readonly [string, OperationStats]>;
  readonly types: ReadonlyArray<readonly [string, TypeStats]>;
  /**
   * Per type the operations (almost) all its traces hold, per operation its error rate
   * (call-baselines.ts). Absent in models trained before them: such models see no missing calls
   * and no unexpected errors.
   */
  readonly calls?: CallSnapshot;
}

/**
 * Fewest traces per time chunk a chunk p99 is taken from. A chunk's p99 of n traces is its
 * ⌊0.99(n − 1)⌋ + 1-th smallest value, whose median over chunks is the population's
 * (k − 1/3)/(n + 1/3) quantile: with 100 traces the second largest, at the 98.3rd percentile,
 * which on a heavy latency tail is well below the p99; with 300 the fourth largest, at the 98.8th.
 */
export const TYPE_CHUNK_TRACES = 300;

/**
 * The robust, hierarchical p99 of one request type.
 * - own: the type's per-bucket sketches (in time order) are merged into consecutive chunks of at
 *   least {@link TYPE_CHUNK_TRACES} traces (a short remainder joins the last chunk); own is the
 *   median of the chunk p99s. An incident that fills less than half of the window's chunks
 *   cannot raise it, and its flagged traces are already left out of incident buckets.
 * - prior: the sum of the p99s of the type's entry operations (the first spans in another service
 *   below the root's service: what the "entry" group key names; the root's own operation when
 *   there is none): what the type's own operations say its duration can be, never a pool of other
 *   types (on a shared gateway the root's operation and its client spans are such a pool, so the
 *   root's operation is used only when there is nothing else). A p99 of a sum is at most the sum
 *   of the p99s: the prior errs high, towards fewer alerts.
 * - shrinkage (credibility weighting, Bühlmann): p99 = (n·own + k·prior)/(n + k), k = minSamples;
 *   a type with few traces leans on its operations, a busy one on itself.
 */
export function robustTypeP99(
  sketches: readonly LogSketch[],
  typeOps: readonly string[],
  ops: ReadonlyMap<string, OperationStats>,
  k: number,
  rootOp?: string,
): TypeStats {
  const chunks: number[] = [];
  let cur = new LogSketch();
  let count = 0;
  let last: LogSketch | null = null;
  for (const s of sketches) {
    count += s.count;
    cur.merge(s);
    if (cur.count >= TYPE_CHUNK_TRACES) {
      chunks.push(cur.quantile(0.99));
      last = cur;
      cur = new LogSketch();
    }
  }
  if (cur.count > 0) {
    if (last === null) chunks.push(cur.quantile(0.99));
    else {
      last.merge(cur);
      chunks[chunks.length - 1] = last.quantile(0.99);
    }
  }
  const ownP99 = chunks.length === 0 ? null : median(chunks);
  let prior = 0;
  let known = 0;
  for (const key of typeOps) {
    const o = ops.get(key);
    if (o !== undefined && o.count > 0) {
      prior += o.p99;
      known++;
    }
  }
  if (known === 0 && rootOp !== undefined) {
    const r = ops.get(rootOp);
    if (r !== undefined && r.count > 0) {
      prior = r.p99;
      known = 1;
    }
  }
  const priorP99 = known === 0 ? null : prior;
  const p99 =
    ownP99 === null
      ? (priorP99 ?? 0)
      : priorP99 === null
        ? ownP99
        : (count * ownP99 + k * priorP99) / (count + k);
  return { count, ownP99, priorP99, p99 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Options of {@link scoreSpans}. */
export interface SpanScoring {
  /** Fewest spans an operation's baseline needs before its spans are scored. Default 20. */
  readonly minOperationSamples?: number;
  /**
   * Durations below this are not compared by ratio (a 0.2 ms span taking 2 ms is no reason for a
   * slow trace), ms. Default 1.
   */
  readonly floorMs?: number;
  /** Spans listed as evidence. Default 5. */
  readonly topSpans?: number;
  /**
   * Live shares of slow spans per operation: every scored span is counted in it at `atMs`
   * (event time), and `degraded_spans` counts the trace's slow spans of degraded operations.
   */
  readonly live?: { readonly share: SlowShare; readonly atMs: number };
}

const NO_SPANS: readonly SpanExcess[] = Object.freeze([]);

/** A service's calls to or from other services in one trace: all that could be judged, and the slow ones. */
export interface CallTally {
  calls: number;
  slow: number;
}

const NO_CALLS: CallTally = Object.freeze({ calls: 0, slow: 0 }) as CallTally;

function tally(m: Map<string, CallTally>, service: string, slow: number): void {
  const t = m.get(service);
  if (t === undefined) m.set(service, { calls: 1, slow });
  else {
    t.calls++;
    t.slow += slow;
  }
}

/**
 * The callee's share of a slow call's time outside the callee's span (network, queueing): the
 * delay sits at one end of the call or the other. The callee's evidence is the share of the
 * calls it received in the trace that are slow, the caller's the share of the calls it made;
 * the callee's part is its evidence over the sum of both: 1/2 when both ends are as implicated
 * (one call is all either end has) or when neither has any; a caller whose other calls are fine
 * leaves most of it to the callee.
 */
export function splitCallExcess(callee: CallTally, caller: CallTally): number {
  const a = callee.calls > 0 ? callee.slow / callee.calls : 0;
  const b = caller.calls > 0 ? caller.slow / caller.calls : 0;
  return a + b > 0 ? a / (a + b) : 0.5;
}

/**
 * Scores every span against its operation's baseline and names the culprit.
 * - `max_span_excess`: the largest max(duration / p99, self time / self p99) of a span (p99s
 *   floored at floorMs);
 * - `critical_path_excess_ms`: self time beyond the self-time p99, summed over critical-path spans;
 * - `spans_over_p99`: spans longer than their operation's p99 (and the floor);
 * - blame: each span's self time beyond its p99 goes to its own service, except where the span
 *   is the caller's side of a call into another service whose span is in the trace: that time is
 *   outside the callee's span (network, queueing), caused at one end of the call or the other,
 *   and is split between the callee and the caller by the share of the calls the callee
 *   received, and of those the caller made, in the trace that are slow ({@link splitCallExcess}).
 *   A delay on a service's link slows the calls into it while its caller's other calls are
 *   fine (the callee is named); a caller starved of CPU is slow on every call it makes, and
 *   collects a share of each. Between equal totals the side that was called wins. The culprit
 *   is the service with the most blame; null when nothing exceeds its baseline.
 */
export function scoreSpans(
  p: SpanProfile,
  baselines: ReadonlyMap<string, OperationStats> | OperationMemo<OperationStats | undefined>,
  o: SpanScoring = {},
): SpanScores {
  // A model passes its memo of baselines by operation id; a plain map is looked up by key.
  const ops = baselines instanceof OperationMemo ? baselines : new OperationMemo((key) => baselines.get(key));
  const minCount = o.minOperationSamples ?? 20;
  const floor = o.floorMs ?? 1;
  const topN = o.topSpans ?? 5;
  let maxExcess = 0;
  let criticalExcess = 0;
  let over = 0;
  let blame: Map<string, { total: number; called: number }> | undefined;
  let top: SpanExcess[] | undefined;
  const credit = (service: string, ms: number, called: boolean): void => {
    blame ??= new Map();
    let b = blame.get(service);
    if (b === undefined) blame.set(service, (b = { total: 0, called: 0 }));
    b.total += ms;
    if (called) b.called += ms;
  };
  // Per service, the calls it made to other services and those it received from them in this
  // trace that can be judged (the client span's operation has a baseline), and of each those
  // whose time outside the callee is beyond its p99: the evidence splitCallExcess weighs. Counted
  // only when some call is slow (most traces have none).
  const live = o.live;
  let slowSpans: number[] | undefined;
  let made: Map<string, CallTally> | undefined;
  let received: Map<string, CallTally> | undefined;
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < p.n; i++) {
      const callee = p.callee[i] as number;
      if (callee < 0 || p.skip[i] === 1) continue;
      const s = ops.get(p, i);
      if (s === undefined || s.count < minCount) continue;
      const slow = (p.selfMs[i] as number) > s.selfP99 ? 1 : 0;
      if (made === undefined || received === undefined) {
        if (slow === 0) continue;
        made = new Map();
        received = new Map();
        break;
      }
      tally(made, p.service[i] as string, slow);
      tally(received, p.service[callee] as string, slow);
    }
    if (made === undefined) break;
  }
  for (let i = 0; i < p.n; i++) {
    if (p.skip[i] === 1) continue;
    const s = ops.get(p, i);
    if (s === undefined || s.count < minCount) continue;
    const d = p.durationMs[i] as number;
    const self = p.selfMs[i] as number;
    const ratio = Math.max(d / Math.max(s.p99, floor), self / Math.max(s.selfP99, floor));
    if (ratio > maxExcess) maxExcess = ratio;
    if (live !== undefined) {
      // Slow by its own time (a caller waiting on a slow callee is not), as the seed's latency
      // rule judges a trace: beyond twice the p99.
      const slowSelf = self > live.share.multiple * Math.max(s.selfP99, floor);
      live.share.recordSpan(p, i, slowSelf, live.atMs);
      if (slowSelf) (slowSpans ??= []).push(i);
    }
    if (d > Math.max(s.p99, floor)) over++;
    const excess = self - s.selfP99;
    if (!(excess > 0)) continue;
    if (p.critical[i] === 1) criticalExcess += excess;
    const callee = p.callee[i] as number;
    const service = p.service[i] as string;
    if (callee >= 0) {
      const calleeService = p.service[callee] as string;
      const toCallee = splitCallExcess(
        received?.get(calleeService) ?? NO_CALLS,
        made?.get(service) ?? NO_CALLS,
      );
      credit(calleeService, excess * toCallee, true);
      credit(service, excess * (1 - toCallee), false);
    } else credit(service, excess, false);
    if (topN > 0) {
      (top ??= []).push({
        service,
        operation: p.op[i] as string,
        spanId: p.spanId[i] as string,
        durationMs: d,
        selfTimeMs: self,
        p99Ms: s.p99,
        selfP99Ms: s.selfP99,
        excessMs: excess,
        ...(callee >= 0 ? { callee: p.service[callee] as string } : {}),
      });
    }
  }
  let culprit: string | null = null;
  let best = { total: 0, called: 0 };
  if (blame !== undefined) {
    best = { total: -1, called: -1 };
    for (const [service, b] of blame as Map<string, { total: number; called: number }>) {
      if (
        b.total > best.total ||
        (b.total === best.total &&
          (b.called > best.called || (b.called === best.called && culprit !== null && service < culprit)))
      ) {
        best = b;
        culprit = service;
      }
    }
  }
  let degraded = 0;
  let degradedShare = 0;
  if (live !== undefined && slowSpans !== undefined) {
    for (const i of slowSpans) {
      const op = p.op[i] as string;
      // A p99 learned from n spans is exceeded by about max(1%, 1/(n + 1)) of new ones.
      const expected = Math.max(0.01, 1 / ((ops.get(p, i) as OperationStats).count + 1));
      const lower = live.share.excess(op, live.atMs, expected);
      if (lower > degradedShare) degradedShare = lower;
      if (lower > live.share.factor) degraded++;
    }
  }
  const topSpans = top === undefined ? NO_SPANS : top.sort((a, b) => b.excessMs - a.excessMs).slice(0, topN);
  return {
    max_span_excess: maxExcess,
    critical_path_excess_ms: criticalExcess,
    spans_over_p99: over,
    degraded_spans: degraded,
    degraded_share: degradedShare,
    culprit,
    culprit_excess_ms: culprit === null ? 0 : best.total,
    top_spans: topSpans,
  };
}
