import type { RunEnvironment } from "./report-env.js";
import { checkTargets, formatTable, verdict, type Target, type TargetResult } from "./report-targets.js";
import type { PartName, PartResult } from "./parts.js";

/** The headline figures, in report order (null when the part did not run or failed). */
export const FIGURE_KEYS = [
  "decode_otlp_spans_per_sec",
  "pipeline_spans_per_sec",
  "tail_sampling_ratio",
  "kafka_spans_per_sec",
  "score_traces_per_sec",
  "ml_isolation_forest_score_traces_per_sec",
  "score_speedup_vs_ml_isolation_forest",
  "forest_score_rows_per_sec",
  "auc_ours",
  "auc_ml_isolation_forest",
  "train_100k_ms",
  "train_1m_ms",
  "feature_spans_per_sec",
  "bytes_per_buffered_span",
  "condition_evals_per_sec",
  "alert_latency_p99_ms",
  "retrain_scoring_p99_increase",
] as const;
export type FigureKey = (typeof FIGURE_KEYS)[number];

/**
 * The performance targets of the model (issue 4) and of the whole service (issue 7). The two
 * relative ones are checked on derived figures.
 */
export const BENCH_TARGETS: readonly Target[] = [
  { figure: "score_traces_per_sec", op: ">=", value: 150_000 },
  { figure: "train_100k_ms", op: "<=", value: 200 },
  { figure: "train_1m_ms", op: "<=", value: 2_000 },
  { figure: "feature_spans_per_sec", op: ">=", value: 1_000_000 },
  { figure: "retrain_scoring_p99_increase", op: "<=", value: 0.2 },
  { figure: "pipeline_spans_per_sec", op: ">=", value: 250_000 },
  {
    figure: "tail_sampling_ratio",
    op: ">=",
    value: 0.9,
    text: "pipeline with keeping and the service map ≥ 0.9 × pipeline_spans_per_sec (same run)",
  },
  { figure: "kafka_spans_per_sec", op: ">=", value: 100_000 },
  {
    figure: "score_speedup_vs_ml_isolation_forest",
    op: ">=",
    value: 10,
    text: "score_traces_per_sec ≥ 10 × ml_isolation_forest_score_traces_per_sec",
  },
  {
    figure: "derived.auc_margin",
    op: ">=",
    value: -0.01,
    text: "auc_ours ≥ auc_ml_isolation_forest − 0.01",
  },
  {
    figure: "derived.pipeline_decode_ratio",
    op: ">=",
    value: 0.25,
    text: "pipeline_spans_per_sec ≥ 0.25 × decode_otlp_spans_per_sec (same run)",
  },
  { figure: "bytes_per_buffered_span", op: "<=", value: 300 },
  { figure: "alert_latency_p99_ms", op: "<=", value: 50 },
];

/** The `tracewatch bench --json` object. */
export type BenchReport = Record<FigureKey, number | null> &
  RunEnvironment & {
    readonly method: string;
    readonly runs: Readonly<Record<string, number>>;
    readonly targets: readonly TargetResult[];
    readonly details: Readonly<Record<string, unknown>>;
    /** Parts that failed or were skipped, with the reason. */
    readonly not_measured: Readonly<Record<string, string>>;
    readonly duration_ms: number;
  };

export const BENCH_METHOD =
  "Each figure is the median of `runs` timed repetitions (throughputs per CPU second of the measuring " +
  "process, one core); every part runs in its own Node process. bytes_per_buffered_span: median over " +
  "separate processes. alert_latency_p99_ms: median over runs of the p99 per run. See docs/benchmarks.md.";

/** Assembles the report from the parts' results (pure). */
export function assembleBenchReport(
  results: Partial<Record<PartName, PartResult>>,
  notMeasured: Readonly<Record<string, string>>,
  env: RunEnvironment,
  durationMs: number,
  quick: boolean,
): BenchReport {
  const figures = Object.fromEntries(FIGURE_KEYS.map((k) => [k, null])) as Record<FigureKey, number | null>;
  const runs: Record<string, number> = {};
  const details: Record<string, unknown> = {};
  for (const [part, r] of Object.entries(results)) {
    for (const [k, v] of Object.entries(r.figures)) if (k in figures) figures[k as FigureKey] = v;
    Object.assign(runs, r.runs);
    if (r.details !== undefined) details[part] = r.details;
  }
  const { auc_ours: ours, auc_ml_isolation_forest: ref } = figures;
  const { pipeline_spans_per_sec: pipeline, decode_otlp_spans_per_sec: decode } = figures;
  const derived = {
    auc_margin: ours === null || ref === null ? null : Math.round((ours - ref) * 10_000) / 10_000,
    // The whole pipeline against the decoder alone, both measured in this run.
    pipeline_decode_ratio:
      pipeline === null || decode === null || decode <= 0
        ? null
        : Math.round((pipeline / decode) * 1000) / 1000,
  };
  return {
    ...figures,
    method: quick ? `${BENCH_METHOD} --quick: fewer runs, smaller workloads.` : BENCH_METHOD,
    runs,
    targets: checkTargets({ ...figures, derived }, BENCH_TARGETS),
    details,
    not_measured: notMeasured,
    ...env,
    duration_ms: durationMs,
  };
}

const UNITS: Record<FigureKey, string> = {
  decode_otlp_spans_per_sec: "spans/s",
  pipeline_spans_per_sec: "spans/s",
  tail_sampling_ratio: "×",
  kafka_spans_per_sec: "spans/s",
  score_traces_per_sec: "traces/s",
  ml_isolation_forest_score_traces_per_sec: "traces/s",
  score_speedup_vs_ml_isolation_forest: "×",
  forest_score_rows_per_sec: "rows/s",
  auc_ours: "",
  auc_ml_isolation_forest: "",
  train_100k_ms: "ms",
  train_1m_ms: "ms",
  feature_spans_per_sec: "spans/s",
  bytes_per_buffered_span: "bytes",
  condition_evals_per_sec: "evals/s",
  alert_latency_p99_ms: "ms",
  retrain_scoring_p99_increase: "",
};

function targetFor(report: BenchReport, key: FigureKey): TargetResult | undefined {
  if (key === "auc_ours") return report.targets.find((t) => t.figure === "derived.auc_margin");
  return report.targets.find((t) => t.figure === key);
}

/** The human-readable table (`tracewatch bench` without --json). */
export function formatBench(report: BenchReport): string {
  const rows = [["figure", "value", "runs", "target", ""]];
  for (const key of FIGURE_KEYS) {
    const v = report[key];
    const t = targetFor(report, key);
    const value = v === null ? "not measured" : `${v.toLocaleString("en-US")} ${UNITS[key]}`.trim();
    rows.push([
      key,
      value,
      String(report.runs[key] ?? "-"),
      t?.target ?? "",
      t === undefined ? "" : verdict(t.pass),
    ]);
  }
  const m = report.machine;
  const lines = [
    `tracewatch bench — ${report.date}, commit ${report.commit ?? "unknown"}`,
    `${m.cpu_model}, ${m.cores} cores, ${m.memory_gib} GiB, ${m.os}, node ${report.node}`,
    "",
    formatTable(rows),
    "",
    report.method,
  ];
  for (const [part, why] of Object.entries(report.not_measured)) lines.push(`not measured: ${part}: ${why}`);
  lines.push(`total ${(report.duration_ms / 1000).toFixed(1)} s`, "");
  return lines.join("\n");
}
