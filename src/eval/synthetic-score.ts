import type { AlertDecision } from "../core/alerts/alerter.js";
import { ALERT_TYPES, evaluateAlerts, rocAuc, type AlertRef, type AlertType } from "../sim/evaluate.js";
import { expectedAlertType, type TraceLabel } from "../sim/labels.js";

/** What the pipeline decided about one trace. */
export interface TraceOutcome {
  readonly traceId: string;
  /** anomaly_score, null when the trace was scored without a model. */
  readonly anomalyScore: number | null;
  /**
   * Alert types whose condition held for the trace and which were emitted or held back only by
   * the cooldown (the detector flagged the trace; the alerter collapsed the repeat). Types held
   * back by min_severity are not flagged: the configuration says not to alert on them.
   */
  readonly flagged: readonly string[];
  /** Alert types actually emitted for the trace (after cooldown deduplication). */
  readonly emitted: readonly string[];
  /** The `service` of each emitted alert, in decision order (the culprit the alert names). */
  readonly emittedServices?: readonly string[];
}

/** Flagged and emitted alert types of one trace's decisions (see {@link TraceOutcome}). */
export function outcomeOf(
  traceId: string,
  anomalyScore: number | null,
  decisions: readonly AlertDecision[],
): TraceOutcome {
  const flagged = new Set<string>();
  const emitted = new Set<string>();
  const emittedServices: string[] = [];
  for (const d of decisions) {
    if (d.kind === "emit") {
      flagged.add(d.alert.type);
      emitted.add(d.alert.type);
      emittedServices.push(d.alert.service);
    } else if (d.kind === "suppressed" && d.reason === "cooldown") flagged.add(d.type);
  }
  return { traceId, anomalyScore, flagged: [...flagged], emitted: [...emitted], emittedServices };
}

/** Precision, recall and F1 of one alert type (null where nothing to divide by). */
export interface TypeFigures {
  readonly labelled: number;
  readonly flagged: number;
  readonly true_positives: number;
  readonly false_positives: number;
  readonly false_negatives: number;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
}

/** The detection-quality figures of one set of labelled traces; keys are stable. */
export interface QualityFigures {
  readonly traces: number;
  readonly labels: Readonly<Record<string, number>>;
  /** Per alert type, from per-trace decisions (emitted or suppressed by cooldown). */
  readonly per_type: Readonly<Record<AlertType, TypeFigures>>;
  /** Per alert type, counting emitted alerts only (cooldown dedup lowers recall by design). */
  readonly per_type_emitted: Readonly<Record<AlertType, TypeFigures>>;
  /** Per injected incident (window occurrence): detected when any of its traces got an emitted alert. */
  readonly incident_recall: Readonly<Record<AlertType, number | null>>;
  readonly incidents: Readonly<Record<AlertType, { total: number; detected: number }>>;
  readonly normal_traces: number;
  /** Flagged (trace, type) pairs on normal traces per 10,000 normal traces. */
  readonly false_alerts_per_10k_normal: number | null;
  /** The same counting emitted alerts only. */
  readonly false_alerts_per_10k_normal_emitted: number | null;
  /** Near-miss traces flagged with any alert type, by near-miss kind. */
  readonly near_miss_alerts: { readonly near_miss_slow: number; readonly near_miss_errors: number };
  /** ROC-AUC of anomaly_score: latency_spike traces, and all injected traces, against the rest. */
  readonly roc_auc_anomaly_score: {
    readonly latency_spike: number | null;
    readonly any_injected: number | null;
  };
}

const r4 = (x: number | null): number | null => (x === null ? null : Math.round(x * 10_000) / 10_000);

function refs(outcomes: Iterable<TraceOutcome>, pick: (o: TraceOutcome) => readonly string[]): AlertRef[] {
  const out: AlertRef[] = [];
  for (const o of outcomes) for (const type of pick(o)) out.push({ traceId: o.traceId, type });
  return out;
}

function perType(e: ReturnType<typeof evaluateAlerts>): Record<AlertType, TypeFigures> {
  const entries = ALERT_TYPES.map((t) => {
    const s = e.perType[t];
    const figures: TypeFigures = {
      labelled: s.labelled,
      flagged: s.alerted,
      true_positives: s.truePositives,
      false_positives: s.falsePositives,
      false_negatives: s.falseNegatives,
      precision: r4(s.precision),
      recall: r4(s.recall),
      f1: r4(s.f1),
    };
    return [t, figures] as const;
  });
  return Object.fromEntries(entries) as Record<AlertType, TypeFigures>;
}

function aucOf(
  labels: readonly TraceLabel[],
  byId: ReadonlyMap<string, TraceOutcome>,
  positive: (l: TraceLabel) => boolean | null,
): number | null {
  const scores: number[] = [];
  const positives: boolean[] = [];
  for (const l of labels) {
    const score = byId.get(l.traceId)?.anomalyScore;
    const p = positive(l);
    if (score === null || score === undefined || p === null) continue;
    scores.push(score);
    positives.push(p);
  }
  return r4(rocAuc(scores, positives));
}

/**
 * Scores the pipeline's per-trace outcomes against the simulator's labels. Only labels with an
 * outcome are judged (warm-up traces are left out by the caller).
 */
export function qualityFigures(
  labels: readonly TraceLabel[],
  outcomes: readonly TraceOutcome[],
): QualityFigures {
  const byId = new Map(outcomes.map((o) => [o.traceId, o]));
  const judged = labels.filter((l) => byId.has(l.traceId));
  const flagged = evaluateAlerts(
    judged,
    refs(outcomes, (o) => o.flagged),
  );
  const emitted = evaluateAlerts(
    judged,
    refs(outcomes, (o) => o.emitted),
  );
  const counts: Record<string, number> = {};
  for (const l of judged) counts[l.label] = (counts[l.label] ?? 0) + 1;
  const incident = (t: AlertType) => emitted.perIncident[t];
  return {
    traces: judged.length,
    labels: counts,
    per_type: perType(flagged),
    per_type_emitted: perType(emitted),
    incident_recall: {
      latency_spike: r4(incident("latency_spike").recall),
      unusual_path: r4(incident("unusual_path").recall),
      cascade_failure: r4(incident("cascade_failure").recall),
    },
    incidents: {
      latency_spike: {
        total: incident("latency_spike").incidents,
        detected: incident("latency_spike").detected,
      },
      unusual_path: {
        total: incident("unusual_path").incidents,
        detected: incident("unusual_path").detected,
      },
      cascade_failure: {
        total: incident("cascade_failure").incidents,
        detected: incident("cascade_failure").detected,
      },
    },
    normal_traces: flagged.normalTraces,
    false_alerts_per_10k_normal: r4(flagged.falseAlertsPer10kNormal),
    false_alerts_per_10k_normal_emitted: r4(emitted.falseAlertsPer10kNormal),
    near_miss_alerts: flagged.nearMissAlerted,
    roc_auc_anomaly_score: {
      latency_spike: aucOf(judged, byId, (l) =>
        l.label === "latency_spike" ? true : expectedAlertType(l.label) === null ? false : null,
      ),
      any_injected: aucOf(judged, byId, (l) => expectedAlertType(l.label) !== null),
    },
  };
}
