import { JoinedKeys } from "./joined-keys.js";
import type { Span } from "../../domain/span.js";
import { fitsU64, HI, LO, TIME_HALVES, TIME_WORDS, TWO_POW_32 } from "../../domain/time-halves.js";
import type { CompletedTrace } from "../../domain/trace.js";
import type { TraceFeatures } from "../../domain/features.js";
import { groupKeyOf, type GroupKeyStrategy, type TraceShape } from "./group-key.js";
import { spanGraph, SpanRole } from "./span-graph.js";
import { profileSpans, SpanProfiler, type SpanProfile } from "./span-profile.js";

/** Options of {@link extractFeatures}. */
export interface ExtractOptions {
  /** How traces are grouped for per-request-type baselines. Default `"entry"` (see docs/model.md). */
  readonly groupKey?: GroupKeyStrategy;
  /**
   * Also build the per-span timings ({@link SpanProfile}) that operation baselines need: `true`
   * in arrays of their own, or into a {@link SpanProfiler}'s reused arrays (valid until its next
   * profile).
   */
  readonly profile?: boolean | SpanProfiler;
}

/** Service and operation given to a trace that has no spans at all. */
export const UNKNOWN = "unknown";

const EMPTY: readonly string[] = Object.freeze([]);

/** How {@link extractTrace} repaired a trace's parent graph (see {@link SpanGraph}). */
export interface GraphRepairs {
  /** Spans ignored because their span id repeats an earlier span's. */
  readonly duplicateSpans: number;
  /** Parent links cut to break a cycle (a span its own parent, A→B→A). */
  readonly parentCycles: number;
}

/**
 * Computes the per-trace features. Pure, allocation-light and without recursion: one pass to
 * build the span graph, one pass over the spans.
 *
 * Real-world traces are messy and handled as follows (the graph's rules: {@link SpanGraph}):
 * - a span whose parent is missing from the trace (orphan) starts a subtree: it adds no edge and
 *   no hop, and it is a root candidate;
 * - a span repeating an earlier span id is ignored (the first is kept);
 * - a parent cycle (a span its own parent, A→B→A) is cut at its earliest-starting span, which
 *   becomes a parentless root;
 * - with several roots, the root is the earliest-starting span without a parent (ties: the first
 *   seen); without any parentless span, the earliest-starting orphan;
 * - children ending after their parent (clock skew) are fine: total_duration is the latest end
 *   minus the earliest start;
 * - a span ending before it starts counts as zero-length.
 */
export function extractFeatures(trace: CompletedTrace, options: ExtractOptions = {}): TraceFeatures {
  return extractTrace(trace, options).features;
}

/** {@link extractFeatures} plus what was repaired in the trace's parent graph. */
export function extractTrace(
  trace: CompletedTrace,
  options: ExtractOptions = {},
): { features: TraceFeatures; repairs: GraphRepairs; profile?: SpanProfile } {
  const spans = trace.spans;
  const n = spans.length;
  if (n === 0) return { features: emptyFeatures(trace, options.groupKey ?? "entry"), repairs: NO_REPAIRS };
  const profiler = options.profile;
  // A profiler's graph arrays are reused: its profile is valid until its next one anyway.
  const graph = spanGraph(spans, profiler instanceof SpanProfiler ? profiler.graphStore(n) : undefined);
  const { parentOf, roles } = graph;
  // Span times handed to a reusing profiler, which then does no BigInt arithmetic of its own.
  const startsNs = profiler instanceof SpanProfiler ? profiler.startsNs(n) : undefined;
  const durationsNs = profiler instanceof SpanProfiler ? profiler.durationsNs(n) : undefined;
  // Times in ns from the first span's start, as numbers: exact integers for any trace shorter than
  // about 104 days, then compared as such (BigInt comparisons cost more); else compared as BigInts.
  // The differences are taken on the times' 32-bit halves (read through a shared 64-bit slot), as
  // numbers: exact below 2^53, else 2^53 or more (found inexact, as a BigInt difference would be),
  // and no BigInt made per subtraction. Times outside 0 .. 2^64 (from JSON, or made by hand) are
  // subtracted as BigInts.
  const base = (spans[0] as Span).startTimeUnixNano;
  const baseFits = fitsU64(base);
  TIME_WORDS[0] = baseFits ? base : 0n;
  const baseLo = TIME_HALVES[LO] as number;
  const baseHi = TIME_HALVES[HI] as number;
  let exact = true;
  // Whether every time went through the halves: then the extent is taken from the numbers too.
  let halves = baseFits;
  let minStartNs = Number.POSITIVE_INFINITY;
  let maxEndNs = Number.NEGATIVE_INFINITY;
  let maxDurationNs = 0;
  let firstIdx = 0;
  let lastIdx = 0;
  let longestIdx = -1;
  let errorCount = 0;
  let hops = 0;
  let rootIdx = -1;
  let rootIsOrphan = true;
  let erroring: Set<string> | undefined;
  // Distinct edges in the order first seen: a short list, with a set beside it past a few dozen.
  let edges: string[] | undefined;
  let edgeSet: Set<string> | undefined;
  for (let i = 0; i < n; i++) {
    if (roles[i] === SpanRole.Duplicate) continue;
    const s = spans[i] as Span;
    const start = s.startTimeUnixNano;
    const end = s.endTimeUnixNano;
    let startNs: number;
    let durationNs: number;
    if (baseFits && fitsU64(start) && fitsU64(end)) {
      TIME_WORDS[0] = start;
      TIME_WORDS[1] = end;
      const startLo = TIME_HALVES[LO] as number;
      const startHi = TIME_HALVES[HI] as number;
      startNs = (startHi - baseHi) * TWO_POW_32 + (startLo - baseLo);
      durationNs =
        ((TIME_HALVES[HI + 2] as number) - startHi) * TWO_POW_32 +
        ((TIME_HALVES[LO + 2] as number) - startLo);
    } else {
      startNs = Number(start - base);
      durationNs = Number(end - start);
      halves = false;
    }
    const endNs = startNs + durationNs;
    if (!(
      Math.abs(startNs) <= MAX_EXACT &&
      Math.abs(durationNs) <= MAX_EXACT &&
      Math.abs(endNs) <= MAX_EXACT
    ))
      exact = false;
    if (startsNs !== undefined && durationsNs !== undefined) {
      startsNs[i] = startNs;
      durationsNs[i] = durationNs;
    }
    if (startNs < minStartNs) {
      minStartNs = startNs;
      firstIdx = i;
    }
    if (endNs > maxEndNs) {
      maxEndNs = endNs;
      lastIdx = i;
    }
    if (durationNs > maxDurationNs) {
      maxDurationNs = durationNs;
      longestIdx = i;
    }
    if (s.status === "ERROR") {
      errorCount++;
      (erroring ??= new Set()).add(s.service);
    }
    const p = parentOf[i] as number;
    if (p < 0) {
      const isOrphan = roles[i] === SpanRole.Orphan;
      if (rootIdx < 0 || isRootBetter(s, isOrphan, spans[rootIdx] as Span, rootIsOrphan)) {
        rootIdx = i;
        rootIsOrphan = isOrphan;
      }
      continue;
    }
    const parentService = (spans[p] as Span).service;
    if (parentService !== s.service) {
      hops++;
      const e = edgeKey(parentService, s.service);
      if (edges === undefined) edges = [e];
      else if (edgeSet !== undefined) {
        if (!edgeSet.has(e)) {
          edgeSet.add(e);
          edges.push(e);
        }
      } else if (!listed(edges, e)) {
        edges.push(e);
        if (edges.length > MAX_LISTED_EDGES) edgeSet = new Set(edges);
      }
    }
  }
  let startTimeMs: number;
  let totalNs = maxEndNs - minStartNs;
  let maxSpanNs = maxDurationNs;
  if (exact && halves && Math.abs(totalNs) <= MAX_EXACT) {
    // The extent's differences are exact integers here (the longest span's duration is one of
    // the exact durations), and the start's ms split is taken on its halves.
    startTimeMs = unixMs((spans[firstIdx] as Span).startTimeUnixNano);
  } else {
    let minStart = (spans[firstIdx] as Span).startTimeUnixNano;
    let maxEnd = (spans[lastIdx] as Span).endTimeUnixNano;
    let maxSpan = longestIdx < 0 ? 0n : spanNs(spans[longestIdx] as Span);
    if (!exact) [minStart, maxEnd, maxSpan] = bigIntExtent(spans, roles);
    startTimeMs = Number(minStart / 1_000_000n) + Number(minStart % 1_000_000n) / 1e6;
    totalNs = Number(maxEnd - minStart);
    maxSpanNs = Number(maxSpan);
  }
  const root = spans[rootIdx] as Span;
  const shape: TraceShape = { spans, parentOf, rootIdx };
  const erroringServices = erroring === undefined ? EMPTY : [...erroring].sort();
  const features: TraceFeatures = {
    traceId: trace.traceId,
    startTimeMs,
    total_duration: totalNs / 1e6,
    span_count: n - graph.duplicates,
    error_count: errorCount,
    service_hop_count: hops,
    max_span_duration: maxSpanNs / 1e6,
    affected_services: erroringServices.length,
    erroring_services: erroringServices,
    edges: edges === undefined ? EMPTY : sortDistinct(edges),
    root_service: root.service,
    root_operation: root.name,
    group_key: groupKeyOf(shape, options.groupKey ?? "entry"),
  };
  const repairs =
    graph.duplicates === 0 && graph.cycles === 0
      ? NO_REPAIRS
      : { duplicateSpans: graph.duplicates, parentCycles: graph.cycles };
  if (profiler === undefined || profiler === false) return { features, repairs };
  const profile =
    profiler instanceof SpanProfiler
      ? profiler.profile(spans, graph, rootIdx, exact)
      : profileSpans(spans, graph, rootIdx);
  return { features, repairs, profile };
}

/**
 * `caller->callee`, built once per pair: every trace with the edge then shares one flat string,
 * whose hash is computed once (a fresh concatenation is hashed again at each set insertion and
 * compared character by character when sorted). Bounded: a cache past its size starts over.
 */
function edgeKey(caller: string, callee: string): string {
  return EDGE_KEYS.get(caller, callee);
}

/** Edge keys "caller->callee", built once per pair. */
const EDGE_KEYS = new JoinedKeys("->");

/**
 * `Number(t / 10^6) + Number(t % 10^6) / 10^6` for a time `t` in 0 .. 2^64, by number arithmetic
 * on its halves: t = hi·2^32 + lo = hi·4294·10^6 + (hi·967296 + lo), the last term below 2^53.
 */
function unixMs(t: bigint): number {
  TIME_WORDS[0] = t;
  const hi = TIME_HALVES[HI] as number;
  const rest = hi * 967_296 + (TIME_HALVES[LO] as number);
  let q = Math.floor(rest / 1e6);
  let r = rest - q * 1e6;
  if (r < 0) {
    q--;
    r += 1e6;
  } else if (r >= 1e6) {
    q++;
    r -= 1e6;
  }
  return hi * 4294 + q + r / 1e6;
}

/** Largest magnitude up to which every integer is a double. */
const MAX_EXACT = Number.MAX_SAFE_INTEGER;

function spanNs(s: Span): bigint {
  return s.endTimeUnixNano - s.startTimeUnixNano;
}

/** Earliest start, latest end and longest span of the spans not duplicates, in BigInt. */
function bigIntExtent(spans: readonly Span[], roles: Uint8Array): [bigint, bigint, bigint] {
  let minStart = (spans[0] as Span).startTimeUnixNano;
  let maxEnd = (spans[0] as Span).endTimeUnixNano;
  let maxSpanNs = 0n;
  for (let i = 0; i < spans.length; i++) {
    if (roles[i] === SpanRole.Duplicate) continue;
    const s = spans[i] as Span;
    if (s.startTimeUnixNano < minStart) minStart = s.startTimeUnixNano;
    if (s.endTimeUnixNano > maxEnd) maxEnd = s.endTimeUnixNano;
    const d = spanNs(s);
    if (d > maxSpanNs) maxSpanNs = d;
  }
  return [minStart, maxEnd, maxSpanNs];
}

/** Distinct edges kept in a list alone; past this a set finds the repeats. */
const MAX_LISTED_EDGES = 32;

/** Whether `e` is in `list` (a loop: the built-in `includes` is a call for a handful of entries). */
function listed(list: readonly string[], e: string): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] === e) return true;
  return false;
}

/**
 * Sorts distinct strings in place as `Array#sort` does (by UTF-16 code units, which is what `<`
 * compares): by insertion when few, which spares the built-in sort's set-up on a handful of edges.
 */
function sortDistinct(xs: string[]): string[] {
  if (xs.length > MAX_LISTED_EDGES) return xs.sort();
  for (let i = 1; i < xs.length; i++) {
    const x = xs[i] as string;
    let j = i - 1;
    while (j >= 0 && (xs[j] as string) > x) {
      xs[j + 1] = xs[j] as string;
      j--;
    }
    xs[j + 1] = x;
  }
  return xs;
}

const NO_REPAIRS: GraphRepairs = Object.freeze({ duplicateSpans: 0, parentCycles: 0 });

/** A true parentless root beats an orphan; between equals the earlier start wins. */
function isRootBetter(s: Span, sOrphan: boolean, best: Span, bestOrphan: boolean): boolean {
  if (sOrphan !== bestOrphan) return !sOrphan;
  return s.startTimeUnixNano < best.startTimeUnixNano;
}

function emptyFeatures(trace: CompletedTrace, strategy: GroupKeyStrategy): TraceFeatures {
  return {
    traceId: trace.traceId,
    startTimeMs: trace.completedAtMs,
    total_duration: 0,
    span_count: 0,
    error_count: 0,
    service_hop_count: 0,
    max_span_duration: 0,
    affected_services: 0,
    erroring_services: EMPTY,
    edges: EMPTY,
    root_service: UNKNOWN,
    root_operation: UNKNOWN,
    group_key: strategy === "root" ? `${UNKNOWN} ${UNKNOWN}` : UNKNOWN,
  };
}
