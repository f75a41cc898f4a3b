import { formatTable, verdict, type Target, type TargetResult } from "../bench/report-targets.js";
import type { EvaluationReport } from "./index.js";

const TYPES = ["latency_spike", "unusual_path", "cascade_failure"] as const;

/** Issue 7's detection-quality targets, as paths into the report. */
export const EVAL_TARGETS: readonly Target[] = [
  ...TYPES.flatMap((t): Target[] => [
    { figure: `synthetic.per_type.${t}.precision`, op: ">=", value: 0.95 },
    { figure: `synthetic.per_type.${t}.recall`, op: ">=", value: 0.95 },
  ]),
  { figure: "synthetic.false_alerts_per_10k_normal", op: "<=", value: 1 },
  { figure: "synthetic.near_miss_alerts.near_miss_slow", op: "==", value: 0 },
  { figure: "synthetic.near_miss_alerts.near_miss_errors", op: "==", value: 0 },
  {
    figure: "trainticket.pipeline.latency_spike.f1",
    op: ">=",
    value: 0.9,
    text: "≥ 0.90 (static 2×p99 rule: 0.53)",
  },
];

const fmt = (x: number | null | undefined): string => (x === null || x === undefined ? "-" : String(x));

function targetLines(targets: readonly TargetResult[]): string {
  return formatTable([
    ["figure", "measured", "target", ""],
    ...targets.map((t) => [t.figure, fmt(t.measured), t.target, verdict(t.pass)]),
  ]);
}

/** The human-readable form of the report (`tracewatch eval` without --json). */
export function formatEvaluation(r: EvaluationReport): string {
  const s = r.synthetic;
  const perType = formatTable([
    ["alert type", "labelled", "flagged", "precision", "recall", "F1", "recall (emitted)", "incidents"],
    ...TYPES.map((t) => [
      t,
      String(s.per_type[t].labelled),
      String(s.per_type[t].flagged),
      fmt(s.per_type[t].precision),
      fmt(s.per_type[t].recall),
      fmt(s.per_type[t].f1),
      fmt(s.per_type_emitted[t].recall),
      `${s.incidents[t].detected}/${s.incidents[t].total}`,
    ]),
  ]);
  const lines = [
    `tracewatch eval — ${r.date}, commit ${r.commit ?? "unknown"}, node ${r.node}`,
    "",
    `Synthetic: seed ${s.scenario.seed}, ${s.scenario.ratePerSec} traces/s, ${s.scenario.warmupMs / 1000} s warm-up + ${s.scenario.durationMs / 1000} s judged; ${s.traces} traces judged`,
    perType,
    `false alerts per 10k normal traces: ${fmt(s.false_alerts_per_10k_normal)} (emitted only: ${fmt(s.false_alerts_per_10k_normal_emitted)})`,
    `near-miss alerts: slow ${s.near_miss_alerts.near_miss_slow}, errors ${s.near_miss_alerts.near_miss_errors}`,
    `ROC-AUC of anomaly_score: latency_spike ${fmt(s.roc_auc_anomaly_score.latency_spike)}, any injected ${fmt(s.roc_auc_anomaly_score.any_injected)}`,
    "",
  ];
  const tt = r.trainticket;
  if ("skipped" in tt) lines.push(`TrainTicket: skipped: ${tt.skipped}`);
  else {
    const p = tt.pipeline.latency_spike;
    lines.push(
      `TrainTicket dev split (${tt.labels.anomalous} anomalous, ${tt.labels.normal} normal judged):`,
      `  pipeline latency_spike: precision ${p.precision}, recall ${p.recall}, F1 ${p.f1}; ROC-AUC ${tt.pipeline.roc_auc_anomaly_score}`,
      `  model study: anomaly_score ≥ threshold F1 ${tt.model.anomaly_score_ge_threshold.f1}, static 2×p99 rule F1 ${tt.model.static_2x_p99_rule.f1}`,
    );
  }
  lines.push("", "Targets (issue 7):", targetLines(r.targets), "");
  return lines.join("\n");
}
