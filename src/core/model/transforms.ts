import type { ModelFeature, TraceFeatures } from "../../domain/features.js";
import type { GroupStats } from "./baselines.js";

/**
 * How one model column is computed from a trace's features:
 * - `identity`: the feature as is;
 * - `log1p`: ln(1 + x), for durations spanning orders of magnitude;
 * - `group_ratio`: x / group median of x (linear: keeps the tail stretched, as isolation wants);
 * - `group_log_ratio`: ln((1 + x) / (1 + group median of x)), the trace's duration relative to
 *   its request type (only for total_duration and max_span_duration).
 */
export type FeatureTransform = "identity" | "log1p" | "group_ratio" | "group_log_ratio";

/** One column of the model's input vector. */
export interface FeatureColumn {
  readonly feature: ModelFeature;
  readonly transform: FeatureTransform;
}

/** The seed's five features in their order, its two durations under `durations`. */
function seedColumns(durations: FeatureTransform): FeatureColumn[] {
  return [
    { feature: "total_duration", transform: durations },
    { feature: "span_count", transform: "identity" },
    { feature: "error_count", transform: "identity" },
    { feature: "service_hop_count", transform: "identity" },
    { feature: "max_span_duration", transform: durations },
  ];
}

/** The trace's two durations, relative to its group by `transform`. */
function groupDurationColumns(transform: FeatureTransform): FeatureColumn[] {
  return [
    { feature: "total_duration", transform },
    { feature: "max_span_duration", transform },
  ];
}

/**
 * The span-level features: the largest span excess over its operation's p99, the time beyond
 * baselines on the critical path, the spans over their p99.
 */
const SPAN_COLUMNS: FeatureColumn[] = [
  { feature: "max_span_excess", transform: "identity" },
  { feature: "critical_path_excess_ms", transform: "identity" },
  { feature: "spans_over_p99", transform: "identity" },
];

/** Named column sets compared on the evaluation data (docs/model.md gives the figures). */
export const COLUMN_SETS = {
  /** The seed's five features, untransformed. */
  seed_raw: seedColumns("identity"),
  /** The seed's five features, durations on a log scale. */
  seed_log: seedColumns("log1p"),
  /** The seed's five features with durations relative to the trace's group. */
  seed_group: seedColumns("group_log_ratio"),
  /** The seed's five features, durations as a linear ratio to the group median. */
  seed_group_ratio: seedColumns("group_ratio"),
  /** seed_raw plus the two durations as ratios to the group median. */
  seed_raw_group_ratio: [...seedColumns("identity"), ...groupDurationColumns("group_ratio")],
  /** seed_raw_group_ratio plus the span-level features. */
  seed_raw_group_ratio_spans: [
    ...seedColumns("identity"),
    ...groupDurationColumns("group_ratio"),
    ...SPAN_COLUMNS,
  ],
  /** seed_log plus the two group-relative durations. */
  seed_log_group: [...seedColumns("log1p"), ...groupDurationColumns("group_log_ratio")],
} as const satisfies Record<string, readonly FeatureColumn[]>;

export type ColumnSetName = keyof typeof COLUMN_SETS;

/** Column set used when none is configured (chosen on TrainTicket, see docs/model.md). */
export const DEFAULT_COLUMN_SET: ColumnSetName = "seed_raw_group_ratio";

/**
 * Columns a configured feature list (`spec.model.features`) selects from, in this order: the
 * default set, then the span-level features (optional: not in the default list; measured in
 * docs/model.md).
 */
export const SELECTABLE_COLUMNS: readonly FeatureColumn[] = COLUMN_SETS.seed_raw_group_ratio_spans;

/** Raw values of the model features in MODEL_FEATURES order: the layout the window stores. */
export const RAW_INDEX: Readonly<Record<ModelFeature, number>> = {
  total_duration: 0,
  span_count: 1,
  error_count: 2,
  service_hop_count: 3,
  max_span_duration: 4,
  max_span_excess: 5,
  critical_path_excess_ms: 6,
  spans_over_p99: 7,
};
export const RAW_DIMS = 8;

/** Writes the raw model features of `f` into `out` at `at` (span-level ones 0 when absent). */
export function writeRaw(f: TraceFeatures, out: Float64Array, at: number): void {
  out[at] = f.total_duration;
  out[at + 1] = f.span_count;
  out[at + 2] = f.error_count;
  out[at + 3] = f.service_hop_count;
  out[at + 4] = f.max_span_duration;
  out[at + 5] = f.max_span_excess ?? 0;
  out[at + 6] = f.critical_path_excess_ms ?? 0;
  out[at + 7] = f.spans_over_p99 ?? 0;
}

const KIND: Readonly<Record<FeatureTransform, number>> = {
  identity: 0,
  log1p: 1,
  group_ratio: 2,
  group_log_ratio: 3,
};

/** Columns resolved to integer codes once, so the per-trace loop does no property lookups. */
export interface ColumnPlan {
  readonly source: Int32Array;
  readonly kind: Int32Array;
  /** Per column: 1 when the group baseline is the max-span median, 0 for the total-duration median. */
  readonly maxSpanBaseline: Int32Array;
}

export function planColumns(columns: readonly FeatureColumn[]): ColumnPlan {
  const n = columns.length;
  const plan = { source: new Int32Array(n), kind: new Int32Array(n), maxSpanBaseline: new Int32Array(n) };
  columns.forEach((c, i) => {
    plan.source[i] = RAW_INDEX[c.feature];
    plan.kind[i] = KIND[c.transform];
    plan.maxSpanBaseline[i] = c.feature === "max_span_duration" ? 1 : 0;
  });
  return plan;
}

/** Computes the model columns from raw seed values (`raw` at `rawAt`) into `out` at `at`. */
export function writeColumns(
  plan: ColumnPlan,
  raw: ArrayLike<number>,
  rawAt: number,
  baseline: GroupStats,
  out: Float64Array,
  at: number,
): void {
  const n = plan.kind.length;
  for (let c = 0; c < n; c++) {
    const x = raw[rawAt + (plan.source[c] as number)] as number;
    const kind = plan.kind[c] as number;
    if (kind === 0) {
      out[at + c] = x;
      continue;
    }
    const pos = x > 0 ? x : 0;
    if (kind === 1) {
      out[at + c] = Math.log1p(pos);
      continue;
    }
    const m = plan.maxSpanBaseline[c] === 1 ? baseline.maxSpanP50 : baseline.p50;
    out[at + c] = kind === 2 ? pos / Math.max(m, 1e-3) : Math.log1p(pos) - Math.log1p(Math.max(m, 0));
  }
}
