import { formatTable, verdict, type Target, type TargetResult } from "../bench/report-targets.js";
import type { IncidentFigures } from "./dataset-figures.js";
import type { EvaluationReport } from "./index.js";
import type { DatasetReport } from "./report-dataset.js";

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

/**
 * Issue 12's targets on real recordings (detection that holds on real systems), as paths into the
 * report; reported apart from issue 7's (`targets_issue12`).
 */
export const ISSUE12_TARGETS: readonly Target[] = [
  { figure: "synthetic_rare_slow.false_alerts_per_10k_normal", op: "<=", value: 1 },
  { figure: "trainticket.pipeline.latency_spike.f1", op: ">=", value: 0.9 },
  { figure: "trainticket.pipeline.roc_auc_anomaly_score", op: ">=", value: 0.95 },
  { figure: "trainticket.pipeline.all.culprit_share", op: ">=", value: 0.8 },
  { figure: "onlineboutique.pipeline.by_group.latency.incident_share", op: ">=", value: 0.9 },
  { figure: "onlineboutique.pipeline.by_group.latency.affected_alerted_share", op: ">=", value: 0.5 },
  { figure: "onlineboutique.pipeline.by_group.code_level.incident_share", op: ">=", value: 0.75 },
  { figure: "onlineboutique.pipeline.false_alerts_per_1k_normal", op: "<=", value: 2, text: "< 2" },
  { figure: "onlineboutique.pipeline.all.culprit_share", op: ">=", value: 0.8 },
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
    `with a rare slow request type (5%, 5x slower) and rare edges: ${fmt(r.synthetic_rare_slow.false_alerts_per_10k_normal)} false alerts per 10k normal traces`,
    `near-miss alerts: slow ${s.near_miss_alerts.near_miss_slow}, errors ${s.near_miss_alerts.near_miss_errors}`,
    `ROC-AUC of anomaly_score: latency_spike ${fmt(s.roc_auc_anomaly_score.latency_spike)}, any injected ${fmt(s.roc_auc_anomaly_score.any_injected)}`,
    "",
  ];
  lines.push(...recordedLines("TrainTicket dev split", r.trainticket));
  if (!("skipped" in r.trainticket)) {
    const m = r.trainticket.model;
    lines.push(
      `  model study: anomaly_score ≥ threshold F1 ${m.anomaly_score_ge_threshold.f1}, static 2×p99 rule F1 ${m.static_2x_p99_rule.f1}`,
    );
  }
  lines.push("", ...recordedLines("OnlineBoutique split", r.onlineboutique));
  lines.push("", "Targets (issue 7):", targetLines(r.targets), "");
  lines.push("Targets (issue 12):", targetLines(r.targets_issue12), "");
  return lines.join("\n");
}

/** A recorded split's lines: the per-trace figures and a row per fault kind (and group). */
function recordedLines(name: string, d: DatasetReport | { readonly skipped: string }): string[] {
  if ("skipped" in d) return [`${name}: skipped: ${d.skipped}`];
  const p = d.pipeline;
  const l = p.labels;
  const row = (kind: string, k: IncidentFigures): string[] => [
    kind,
    `${k.incidents_alerted}/${k.incidents_with_data} (${k.incidents})`,
    `${k.affected_traces_alerted}/${k.affected_traces}`,
    fmt(k.affected_alerted_share),
    fmt(k.latency_spike_recall),
    fmt(k.roc_auc_anomaly_score),
    `${fmt(k.culprit_share)} of ${k.culprit_alerts}`,
  ];
  const table = formatTable([
    [
      "fault kind",
      "incidents alerted/with data (all)",
      "traces alerted",
      "share",
      "spike recall",
      "ROC-AUC",
      "culprit",
    ],
    ...Object.entries(p.by_kind).map(([k, f]) => row(k, f)),
    ...Object.entries(p.by_group).map(([k, f]) => row(`[${k}]`, f)),
    row("[all]", p.all),
  ]);
  return [
    `${name} (${l.anomalous} anomalous, ${l.normal} normal judged; ${l.ambiguous} ambiguous and ${l.window_other} window_other left out; ${p.warm_up_traces} warm-up):`,
    `  pipeline latency_spike: precision ${p.latency_spike.precision}, recall ${p.latency_spike.recall}, F1 ${p.latency_spike.f1}; ROC-AUC ${fmt(p.roc_auc_anomaly_score)}`,
    `  false alerts per 1,000 normal traces: ${fmt(p.false_alerts_per_1k_normal)} (${JSON.stringify(p.false_alerts_by_type)})`,
    ...table.split("\n").map((line) => `  ${line}`),
  ];
}
