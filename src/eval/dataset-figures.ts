import { confusion, rocAuc } from "../core/model/metrics.js";
import type { TrainTicketLabel, TrainTicketLabelled } from "../datasets/trainticket.js";
import type { TraceOutcome } from "./synthetic-score.js";

/**
 * Detection figures of a recorded split with injected faults (TrainTicket, OnlineBoutique), from
 * the pipeline's per-trace outcomes and the READMEs' per-trace labels; one definition for every
 * dataset (docs/evaluation.md). Pure.
 *
 * - A trace is *alerted* when any alert rule flagged it (emitted, or held back by the cooldown:
 *   see {@link TraceOutcome}); *emitted* counts only alerts actually sent.
 * - An incident (one injected fault) *has data* when at least one of its `anomalous` traces was
 *   scored, and is *alerted* when at least one of them was alerted.
 * - Only `anomalous` and `normal` traces are judged; `window_other` and `ambiguous` are counted.
 */

/** The part of a fault the figures need. */
export interface FaultRef {
  readonly injectMs: number;
  readonly service: string;
  readonly injectType: string;
}

/** Precision, recall and F1 of one per-trace decision against the anomalous/normal labels. */
export interface BinaryFigures {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** Figures of a set of incidents (one fault kind, a group of kinds, or all). */
export interface IncidentFigures {
  readonly incidents: number;
  /** Incidents with at least one scored anomalous trace. */
  readonly incidents_with_data: number;
  /** Incidents with at least one alerted anomalous trace. */
  readonly incidents_alerted: number;
  /** The same, counting emitted alerts only. */
  readonly incidents_alerted_emitted: number;
  /** incidents_alerted / incidents_with_data (null without data). */
  readonly incident_share: number | null;
  /** Scored anomalous traces of these incidents. */
  readonly affected_traces: number;
  readonly affected_traces_alerted: number;
  readonly affected_alerted_share: number | null;
  /** Share of the affected traces flagged `latency_spike`. */
  readonly latency_spike_recall: number | null;
  /** ROC-AUC of anomaly_score: these incidents' anomalous traces against all normal traces. */
  readonly roc_auc_anomaly_score: number | null;
  /** Emitted alerts on the affected traces, and the share whose `service` is the injected one. */
  readonly culprit_alerts: number;
  readonly culprit_share: number | null;
}

/** One incident's row. */
export interface FaultRow {
  readonly inject_time_utc: string;
  readonly service: string;
  readonly kind: string;
  readonly affected_traces: number;
  readonly affected_traces_alerted: number;
  readonly emitted_alerts: number;
  /** Emitted alerts on its affected traces naming the injected service. */
  readonly culprit_hits: number;
  /** Scored traces of the minute before it touching its pod (left out). */
  readonly ambiguous_traces: number;
  /** Scored traces of its window not touching its pod (left out). */
  readonly window_other_traces: number;
}

/** The figures of one split; keys are stable (`tracewatch eval --json`). */
export interface DatasetFigures {
  /** Scored (post-warm-up) traces by label. */
  readonly labels: Readonly<Record<TrainTicketLabel, number>>;
  /** `latency_spike` per trace, anomalous against normal. */
  readonly latency_spike: BinaryFigures;
  readonly roc_auc_anomaly_score: number | null;
  /** Flagged (trace, alert type) pairs on normal traces, all types, per 1,000 normal traces. */
  readonly false_alerts_per_1k_normal: number | null;
  /** The same per 10,000 (the issue-7 unit). */
  readonly false_alerts_per_10k_normal: number | null;
  /** Flagged normal traces by alert type. */
  readonly false_alerts_by_type: Readonly<Record<string, number>>;
  readonly all: IncidentFigures;
  /** Per fault kind (`inject_type`), kinds in order of first appearance. */
  readonly by_kind: Readonly<Record<string, IncidentFigures>>;
  /** Per named group of kinds (e.g. latency, code_level), when groups are given. */
  readonly by_group: Readonly<Record<string, IncidentFigures>>;
  readonly faults: readonly FaultRow[];
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const share = (n: number, d: number): number | null => (d === 0 ? null : r3(n / d));

/** Binary figures of `flagged` against `positives`, rounded to 3 decimals (0 where undefined). */
export function binaryFigures(flagged: readonly boolean[], positives: readonly boolean[]): BinaryFigures {
  const c = confusion(flagged, positives);
  return {
    tp: c.tp,
    fp: c.fp,
    fn: c.fn,
    precision: r3(c.precision),
    recall: r3(c.recall),
    f1: r3(c.f1),
  };
}

/** ROC-AUC rounded to 3 decimals; null when one class is empty. */
export function aucOrNull(scores: readonly number[], positives: readonly boolean[]): number | null {
  const auc = rocAuc(scores, positives);
  return Number.isNaN(auc) ? null : r3(auc);
}

/** Flagged (trace, type) pairs per `per` normal traces (null without normal traces). */
export function falseAlertsPer(normal: readonly TraceOutcome[], per: number): number | null {
  if (normal.length === 0) return null;
  return r3((normal.reduce((n, o) => n + o.flagged.length, 0) * per) / normal.length);
}

interface Judged {
  readonly outcome: TraceOutcome;
  readonly label: TrainTicketLabel;
  readonly faultIndex: number;
}

const alerted = (o: TraceOutcome): boolean => o.flagged.length > 0;

/** Figures of the incidents `indices` (into `faults`). */
export function incidentFigures(
  indices: readonly number[],
  faults: readonly FaultRef[],
  judged: readonly Judged[],
  normal: readonly TraceOutcome[],
): IncidentFigures {
  const set = new Set(indices);
  const affected = judged.filter((j) => j.label === "anomalous" && set.has(j.faultIndex));
  const withData = new Set(affected.map((j) => j.faultIndex));
  const hit = new Set(affected.filter((j) => alerted(j.outcome)).map((j) => j.faultIndex));
  const hitEmitted = new Set(affected.filter((j) => j.outcome.emitted.length > 0).map((j) => j.faultIndex));
  let culpritAlerts = 0;
  let culpritHits = 0;
  for (const j of affected) {
    for (const service of j.outcome.emittedServices ?? []) {
      culpritAlerts++;
      if (service === faults[j.faultIndex]?.service) culpritHits++;
    }
  }
  const alertedTraces = affected.filter((j) => alerted(j.outcome)).length;
  const scores = [
    ...affected.map((j) => j.outcome.anomalyScore ?? 0),
    ...normal.map((o) => o.anomalyScore ?? 0),
  ];
  const positives = [...affected.map(() => true), ...normal.map(() => false)];
  return {
    incidents: set.size,
    incidents_with_data: withData.size,
    incidents_alerted: hit.size,
    incidents_alerted_emitted: hitEmitted.size,
    incident_share: share(hit.size, withData.size),
    affected_traces: affected.length,
    affected_traces_alerted: alertedTraces,
    affected_alerted_share: share(alertedTraces, affected.length),
    latency_spike_recall: share(
      affected.filter((j) => j.outcome.flagged.includes("latency_spike")).length,
      affected.length,
    ),
    roc_auc_anomaly_score: aucOrNull(scores, positives),
    culprit_alerts: culpritAlerts,
    culprit_share: share(culpritHits, culpritAlerts),
  };
}

/**
 * The split's figures: `outcomes` of the replay (post-warm-up), `labelOf` each trace's label and
 * fault, `groups` named sets of fault kinds reported together.
 */
export function datasetFigures(
  faults: readonly FaultRef[],
  outcomes: readonly TraceOutcome[],
  labelOf: (traceId: string) => TrainTicketLabelled | undefined,
  groups: Readonly<Record<string, readonly string[]>> = {},
): DatasetFigures {
  const labels: Record<TrainTicketLabel, number> = { anomalous: 0, normal: 0, window_other: 0, ambiguous: 0 };
  const all: Judged[] = [];
  for (const outcome of outcomes) {
    const l = labelOf(outcome.traceId);
    if (l === undefined) continue;
    labels[l.label]++;
    all.push({ outcome, ...l });
  }
  const judged = all.filter((j) => j.label === "anomalous" || j.label === "normal");
  const positives = judged.map((j) => j.label === "anomalous");
  const normal = judged.filter((j) => j.label === "normal").map((j) => j.outcome);
  const falseByType: Record<string, number> = {};
  for (const o of normal) for (const t of o.flagged) falseByType[t] = (falseByType[t] ?? 0) + 1;
  const indicesOf = (kinds: readonly string[]): number[] =>
    faults.flatMap((f, i) => (kinds.includes(f.injectType) ? [i] : []));
  const kinds = [...new Set(faults.map((f) => f.injectType))];
  const figures = (kindList: readonly string[]): IncidentFigures =>
    incidentFigures(indicesOf(kindList), faults, judged, normal);
  return {
    labels,
    latency_spike: binaryFigures(
      judged.map((j) => j.outcome.flagged.includes("latency_spike")),
      positives,
    ),
    roc_auc_anomaly_score: aucOrNull(
      judged.map((j) => j.outcome.anomalyScore ?? 0),
      positives,
    ),
    false_alerts_per_1k_normal: falseAlertsPer(normal, 1000),
    false_alerts_per_10k_normal: falseAlertsPer(normal, 10_000),
    false_alerts_by_type: falseByType,
    all: figures(kinds),
    by_kind: Object.fromEntries(kinds.map((k) => [k, figures([k])])),
    by_group: Object.fromEntries(Object.entries(groups).map(([name, list]) => [name, figures(list)])),
    faults: faults.map((f, i) => faultRow(f, i, all)),
  };
}

function faultRow(f: FaultRef, i: number, all: readonly Judged[]): FaultRow {
  const mine = all.filter((j) => j.faultIndex === i);
  const affected = mine.filter((j) => j.label === "anomalous");
  const services = affected.flatMap((j) => j.outcome.emittedServices ?? []);
  return {
    inject_time_utc: new Date(f.injectMs).toISOString().replace(".000Z", "Z"),
    service: f.service,
    kind: f.injectType,
    affected_traces: affected.length,
    affected_traces_alerted: affected.filter((j) => alerted(j.outcome)).length,
    emitted_alerts: services.length,
    culprit_hits: services.filter((s) => s === f.service).length,
    ambiguous_traces: mine.filter((j) => j.label === "ambiguous").length,
    window_other_traces: mine.filter((j) => j.label === "window_other").length,
  };
}
