import { quantileSorted } from "./metrics.js";

/** Duration statistics of one group of traces (ms). */
export interface GroupStats {
  /** Traces the statistics were computed from. */
  readonly count: number;
  /** Median total_duration, ms. */
  readonly p50: number;
  /** 99th percentile of total_duration, ms. */
  readonly p99: number;
  /** Median max_span_duration, ms. */
  readonly maxSpanP50: number;
}

/**
 * Per-group baselines from one training window. A group with fewer than `minGroupSamples`
 * traces falls back to its root group (same root service and operation), then to the global one.
 */
export interface Baselines {
  readonly minGroupSamples: number;
  readonly global: GroupStats;
  /** Keyed by group_key. */
  readonly groups: ReadonlyMap<string, GroupStats>;
  /** Keyed by "root_service root_operation". */
  readonly roots: ReadonlyMap<string, GroupStats>;
}

/** Durations collected for one group: parallel arrays, any order. */
export interface GroupDurations {
  readonly total: ArrayLike<number>;
  readonly maxSpan: ArrayLike<number>;
}

/** Default minimum number of traces for a group to have its own baseline. */
export const DEFAULT_MIN_GROUP_SAMPLES = 30;

/** Statistics of one set of durations (count 0 gives zeros). */
export function groupStats(d: GroupDurations): GroupStats {
  const total = Float64Array.from(d.total).sort();
  const maxSpan = Float64Array.from(d.maxSpan).sort();
  if (total.length === 0) return { count: 0, p50: 0, p99: 0, maxSpanP50: 0 };
  return {
    count: total.length,
    p50: quantileSorted(total, 0.5),
    p99: quantileSorted(total, 0.99),
    maxSpanP50: quantileSorted(maxSpan, 0.5),
  };
}

/**
 * Builds baselines from per-group durations. `rootOf` maps a group key to its root key (groups
 * sharing a root are pooled for the root-level fallback).
 */
export function buildBaselines(
  byGroup: ReadonlyMap<string, GroupDurations>,
  rootOf: ReadonlyMap<string, string>,
  minGroupSamples = DEFAULT_MIN_GROUP_SAMPLES,
): Baselines {
  const groups = new Map<string, GroupStats>();
  const pooled = new Map<string, { total: number[]; maxSpan: number[] }>();
  const all = { total: [] as number[], maxSpan: [] as number[] };
  for (const [key, d] of byGroup) {
    groups.set(key, groupStats(d));
    const root = rootOf.get(key) ?? key;
    let p = pooled.get(root);
    if (p === undefined) pooled.set(root, (p = { total: [], maxSpan: [] }));
    for (let i = 0; i < d.total.length; i++) {
      p.total.push(d.total[i] as number);
      p.maxSpan.push(d.maxSpan[i] as number);
      all.total.push(d.total[i] as number);
      all.maxSpan.push(d.maxSpan[i] as number);
    }
  }
  const roots = new Map<string, GroupStats>();
  for (const [root, d] of pooled) roots.set(root, groupStats(d));
  return { minGroupSamples, global: groupStats(all), groups, roots };
}

/** The baseline a trace is compared with: its group, else its root group, else the global one. */
export function baselineFor(b: Baselines, groupKey: string, rootKey: string): GroupStats {
  const g = b.groups.get(groupKey);
  if (g !== undefined && g.count >= b.minGroupSamples) return g;
  const r = b.roots.get(rootKey);
  if (r !== undefined && r.count >= b.minGroupSamples) return r;
  return b.global;
}
