import type { Span } from "../../domain/span.js";
import { spanGraph, SpanRole } from "../features/span-graph.js";
import { operationKey, profileSpans } from "../features/span-profile.js";
import type { OperationStats } from "../model/op-baselines.js";

/** One span of the waterfall, in tree order (each span followed by its children by start time). */
export interface WaterfallRow {
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly service: string;
  readonly operation: string;
  readonly kind: string;
  /** Start relative to the trace's earliest span, ms. */
  readonly offsetMs: number;
  readonly durationMs: number;
  /** Duration minus the time covered by children, ms. */
  readonly selfMs: number;
  /** Depth in the span tree; roots (and orphans) 0. */
  readonly depth: number;
  readonly error: boolean;
  /** On the trace's critical path. */
  readonly critical: boolean;
  /** A span of the alert's culprit service, or named as the alert's evidence. */
  readonly culprit: boolean;
  /** Its operation's baseline (model in use), ms; absent when the model has none for it. */
  readonly baseline?: { readonly p50Ms: number; readonly p99Ms: number; readonly samples: number };
  /** Duration beyond the baseline p99, ms (0 when within); with `baseline` only. */
  readonly excessMs?: number;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** Self time per service, largest first. */
export interface ServiceBreakdown {
  readonly service: string;
  readonly selfMs: number;
  readonly spans: number;
  /** selfMs over the sum of all self times. */
  readonly share: number;
}

export interface TraceView {
  readonly traceId: string;
  /** ISO 8601 UTC of the earliest span start. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly spanCount: number;
  readonly waterfall: readonly WaterfallRow[];
  readonly breakdown: readonly ServiceBreakdown[];
  /** Critical-path spans in time order, with their self time. */
  readonly criticalPath: readonly {
    readonly spanId: string;
    readonly service: string;
    readonly operation: string;
    readonly selfMs: number;
  }[];
}

/** What marks spans as culprit: services and span ids from the trace's alerts. */
export interface CulpritMarks {
  readonly services: ReadonlySet<string>;
  readonly spanIds: ReadonlySet<string>;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** Tree order without recursion: roots by start, then each span's children by start. */
function treeOrder(spans: readonly Span[], parentOf: Int32Array, roles: Uint8Array): [number, number][] {
  const kids = new Map<number, number[]>();
  const roots: number[] = [];
  for (let i = 0; i < spans.length; i++) {
    if (roles[i] === SpanRole.Duplicate) continue;
    const p = parentOf[i]!;
    if (p < 0) roots.push(i);
    else (kids.get(p) ?? kids.set(p, []).get(p)!).push(i);
  }
  const byStart = (a: number, b: number): number => {
    const d = spans[a]!.startTimeUnixNano - spans[b]!.startTimeUnixNano;
    return d < 0n ? -1 : d > 0n ? 1 : a - b;
  };
  const out: [number, number][] = [];
  const stack: [number, number][] = roots
    .sort(byStart)
    .reverse()
    .map((r) => [r, 0]);
  while (stack.length > 0) {
    const [i, depth] = stack.pop()!;
    out.push([i, depth]);
    const list = kids.get(i);
    if (list !== undefined) for (const k of list.sort(byStart).reverse()) stack.push([k, depth + 1]);
  }
  return out;
}

/**
 * The on-call view of one trace: waterfall rows, self time per service, the critical path, and
 * each span against its operation's baseline when `baseline` knows it. Pure; O(n log n).
 */
export function traceView(
  spans: readonly Span[],
  baseline: (operationKey: string) => OperationStats | undefined = () => undefined,
  marks: CulpritMarks = { services: new Set(), spanIds: new Set() },
): TraceView {
  const graph = spanGraph(spans);
  let root = -1;
  let t0: bigint | null = null;
  let t1: bigint | null = null;
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    if (t0 === null || s.startTimeUnixNano < t0) t0 = s.startTimeUnixNano;
    if (t1 === null || s.endTimeUnixNano > t1) t1 = s.endTimeUnixNano;
    if (graph.parentOf[i] !== -1 || graph.roles[i] === SpanRole.Duplicate) continue;
    if (root < 0 || s.startTimeUnixNano < spans[root]!.startTimeUnixNano) root = i;
  }
  const profile = profileSpans(spans, graph, root);
  const base = t0 ?? 0n;
  const perService = new Map<string, { selfMs: number; spans: number }>();
  let totalSelf = 0;
  const waterfall = treeOrder(spans, graph.parentOf, graph.roles).map(([i, depth]): WaterfallRow => {
    const s = spans[i]!;
    const durationMs = profile.durationMs[i]!;
    const selfMs = profile.selfMs[i]!;
    const agg = perService.get(s.service) ?? { selfMs: 0, spans: 0 };
    agg.selfMs += selfMs;
    agg.spans++;
    perService.set(s.service, agg);
    totalSelf += selfMs;
    const b = baseline(operationKey(s));
    return {
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      service: s.service,
      operation: s.name,
      kind: s.kind,
      offsetMs: round(Number(s.startTimeUnixNano - base) / 1e6),
      durationMs: round(durationMs),
      selfMs: round(selfMs),
      depth,
      error: s.status === "ERROR",
      critical: profile.critical[i] === 1,
      culprit: marks.spanIds.has(s.spanId) || marks.services.has(s.service),
      ...(b === undefined
        ? {}
        : {
            baseline: { p50Ms: round(b.p50), p99Ms: round(b.p99), samples: b.count },
            excessMs: round(Math.max(0, durationMs - b.p99)),
          }),
      attributes: s.attributes,
    };
  });
  const breakdown = [...perService]
    .map(([service, a]) => ({
      service,
      selfMs: round(a.selfMs),
      spans: a.spans,
      share: totalSelf > 0 ? round(a.selfMs / totalSelf) : 0,
    }))
    .sort((a, b) => b.selfMs - a.selfMs);
  const criticalPath = waterfall
    .filter((r) => r.critical && r.selfMs > 0)
    .sort((a, b) => a.offsetMs - b.offsetMs)
    .map((r) => ({ spanId: r.spanId, service: r.service, operation: r.operation, selfMs: r.selfMs }));
  return {
    traceId: spans[0]?.traceId ?? "",
    startedAt: new Date(Number(base / 1_000_000n)).toISOString(),
    durationMs: round(t0 === null || t1 === null ? 0 : Number(t1 - t0) / 1e6),
    spanCount: spans.length,
    waterfall,
    breakdown,
    criticalPath,
  };
}
