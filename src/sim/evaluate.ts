import type { TraceLabel } from "./labels.js";
import { expectedAlertType } from "./labels.js";
import { rocAuc as modelRocAuc } from "../core/model/metrics.js";

/**
 * Detector-independent scoring of alerts against the simulator's labels: per alert type
 * precision, recall and F1, false alerts per 10,000 normal traces, near-miss alerts, and ROC-AUC
 * of a per-trace score. The evaluation command joins a detector run with these.
 */

export const ALERT_TYPES = ["latency_spike", "unusual_path", "cascade_failure"] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** The part of an alert the evaluation needs. */
export interface AlertRef {
  readonly traceId: string;
  /** Alert type; types other than the three seed alerts are counted as unknown. */
  readonly type: string;
}

/** Counts and ratios for one alert type. Ratios are null when undefined (nothing to divide by). */
export interface TypeScore {
  /** Traces labelled with this type. */
  readonly labelled: number;
  /** Traces that received at least one alert of this type. */
  readonly alerted: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
}

/** The whole report; keys are stable. */
export interface AlertEvaluation {
  readonly traces: number;
  readonly perType: Readonly<Record<AlertType, TypeScore>>;
  readonly normalTraces: number;
  /** (trace, type) alerts on normal traces per 10,000 normal traces (null without normals). */
  readonly falseAlertsPer10kNormal: number | null;
  /** Near-miss traces that received any alert, by near-miss label (all must be 0). */
  readonly nearMissAlerted: { readonly near_miss_slow: number; readonly near_miss_errors: number };
  /** Alerts naming a trace id absent from the labels (a join problem, should be 0). */
  readonly alertsForUnknownTraces: number;
  /** Alerts of a type other than the three seed alert types. */
  readonly alertsOfOtherTypes: number;
  /** Recall per injected incident (a window occurrence), for detectors that alert once per incident. */
  readonly perIncident: Readonly<Record<AlertType, IncidentScore>>;
}

/** Incident-level recall: an incident counts as detected when any of its traces got its alert. */
export interface IncidentScore {
  readonly incidents: number;
  readonly detected: number;
  readonly recall: number | null;
}

/**
 * The incident a labelled trace belongs to: one window occurrence of one injection (same target,
 * same start), e.g. `latency_spike network_delay pricing 1700000015000`. Null for other labels.
 */
export function incidentKey(label: TraceLabel): string | null {
  const i = label.injected;
  switch (label.label) {
    case "latency_spike":
      return `latency_spike ${String(i.shape)} ${String(i.service)} ${String(i.windowStartMs)}`;
    case "unusual_path":
      return `unusual_path ${String(i.caller)}->${String(i.callee)} ${String(i.deployAtMs)}`;
    case "cascade_failure":
      return `cascade_failure ${String(i.origin)} ${String(i.windowStartMs)}`;
    default:
      return null;
  }
}

function incidentScores(
  labels: Iterable<TraceLabel>,
  alerted: ReadonlyMap<string, ReadonlySet<string>>,
): Record<AlertType, IncidentScore> {
  const incidents = new Map<string, { type: AlertType; detected: boolean }>();
  for (const label of labels) {
    const key = incidentKey(label);
    const type = expectedAlertType(label.label);
    if (key === null || type === null) continue;
    const incident = incidents.get(key) ?? { type, detected: false };
    incident.detected ||= alerted.get(label.traceId)?.has(type) === true;
    incidents.set(key, incident);
  }
  const score = (type: AlertType): IncidentScore => {
    const of = [...incidents.values()].filter((i) => i.type === type);
    const detected = of.filter((i) => i.detected).length;
    return { incidents: of.length, detected, recall: ratio(detected, of.length) };
  };
  return {
    latency_spike: score("latency_spike"),
    unusual_path: score("unusual_path"),
    cascade_failure: score("cascade_failure"),
  };
}

const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);

function typeScore(labelled: number, alerted: number, tp: number): TypeScore {
  const precision = ratio(tp, alerted);
  const recall = ratio(tp, labelled);
  const f1 =
    precision === null || recall === null
      ? null
      : precision + recall === 0
        ? 0
        : (2 * precision * recall) / (precision + recall);
  return {
    labelled,
    alerted,
    truePositives: tp,
    falsePositives: alerted - tp,
    falseNegatives: labelled - tp,
    precision,
    recall,
    f1,
  };
}

/** Scores alerts against labels; duplicate alerts for the same (trace, type) count once. */
export function evaluateAlerts(labels: Iterable<TraceLabel>, alerts: Iterable<AlertRef>): AlertEvaluation {
  const byTrace = new Map<string, TraceLabel>();
  for (const l of labels) byTrace.set(l.traceId, l);
  const alerted = new Map<string, Set<string>>();
  let unknown = 0;
  let other = 0;
  for (const a of alerts) {
    if (!byTrace.has(a.traceId)) unknown++;
    else if (!(ALERT_TYPES as readonly string[]).includes(a.type)) other++;
    let types = alerted.get(a.traceId);
    if (types === undefined) alerted.set(a.traceId, (types = new Set()));
    types.add(a.type);
  }
  const labelledCount = { latency_spike: 0, unusual_path: 0, cascade_failure: 0 };
  const alertedCount = { latency_spike: 0, unusual_path: 0, cascade_failure: 0 };
  const tp = { latency_spike: 0, unusual_path: 0, cascade_failure: 0 };
  const nearMiss = { near_miss_slow: 0, near_miss_errors: 0 };
  let normal = 0;
  let normalAlerts = 0;
  for (const label of byTrace.values()) {
    const types = alerted.get(label.traceId);
    const expected = expectedAlertType(label.label);
    if (expected !== null) labelledCount[expected]++;
    for (const t of ALERT_TYPES) {
      if (types?.has(t) !== true) continue;
      alertedCount[t]++;
      if (t === expected) tp[t]++;
    }
    if (label.label === "normal") {
      normal++;
      normalAlerts += types?.size ?? 0;
    } else if (
      (label.label === "near_miss_slow" || label.label === "near_miss_errors") &&
      types !== undefined
    ) {
      nearMiss[label.label]++;
    }
  }
  const perType = {
    latency_spike: typeScore(labelledCount.latency_spike, alertedCount.latency_spike, tp.latency_spike),
    unusual_path: typeScore(labelledCount.unusual_path, alertedCount.unusual_path, tp.unusual_path),
    cascade_failure: typeScore(
      labelledCount.cascade_failure,
      alertedCount.cascade_failure,
      tp.cascade_failure,
    ),
  };
  const per10k = ratio(normalAlerts * 10_000, normal);
  return {
    traces: byTrace.size,
    perType,
    normalTraces: normal,
    falseAlertsPer10kNormal: per10k,
    nearMissAlerted: nearMiss,
    alertsForUnknownTraces: unknown,
    alertsOfOtherTypes: other,
    perIncident: incidentScores(byTrace.values(), alerted),
  };
}

/**
 * ROC-AUC of `scores` for separating `positives` (the Mann-Whitney U statistic; tied scores count
 * half). Null when either class is empty.
 */
export function rocAuc(scores: readonly number[], positives: readonly boolean[]): number | null {
  if (scores.length !== positives.length) throw new RangeError("scores and positives differ in length");
  const auc = modelRocAuc(scores, positives);
  return Number.isNaN(auc) ? null : auc;
}
