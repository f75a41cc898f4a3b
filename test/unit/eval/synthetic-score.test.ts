import { describe, expect, it } from "vitest";
import type { Alert } from "../../../src/core/alerts/alert.js";
import type { AlertDecision } from "../../../src/core/alerts/alerter.js";
import { outcomeOf, qualityFigures, type TraceOutcome } from "../../../src/eval/synthetic-score.js";
import { sampleLabel as label } from "../sim/sample-labels.js";

const emit = (type: string): AlertDecision => ({ kind: "emit", alert: { type } as Alert });
const suppressed = (type: string, reason: "cooldown" | "min_severity"): AlertDecision => ({
  kind: "suppressed",
  type,
  reason,
  keys: [],
});

describe("outcomeOf", () => {
  it.each([
    { name: "no decision", decisions: [], flagged: [], emitted: [] },
    {
      name: "an emitted alert",
      decisions: [emit("latency_spike")],
      flagged: ["latency_spike"],
      emitted: ["latency_spike"],
    },
    {
      name: "a match held back by the cooldown",
      decisions: [suppressed("unusual_path", "cooldown")],
      flagged: ["unusual_path"],
      emitted: [],
    },
    {
      name: "a match below min_severity",
      decisions: [suppressed("info_rule", "min_severity")],
      flagged: [],
      emitted: [],
    },
    {
      name: "a rule warming up",
      decisions: [{ kind: "warming_up", type: "latency_spike" } as const],
      flagged: [],
      emitted: [],
    },
    {
      name: "several types, one twice",
      decisions: [emit("cascade_failure"), suppressed("cascade_failure", "cooldown"), emit("unusual_path")],
      flagged: ["cascade_failure", "unusual_path"],
      emitted: ["cascade_failure", "unusual_path"],
    },
  ])("flags $name correctly", ({ decisions, flagged, emitted }) => {
    const o = outcomeOf("t", 0.5, decisions);
    expect([...o.flagged].sort()).toEqual([...flagged].sort());
    expect([...o.emitted].sort()).toEqual([...emitted].sort());
  });
});

const outcome = (id: string, score: number | null, flagged: string[], emitted = flagged): TraceOutcome => ({
  traceId: id,
  anomalyScore: score,
  flagged,
  emitted,
});

describe("qualityFigures", () => {
  const labels = [
    label("s1", "latency_spike"),
    label("s2", "latency_spike"),
    label("p1", "unusual_path"),
    label("p2", "unusual_path"),
    label("c1", "cascade_failure"),
    label("n1", "none"),
    label("n2", "none"),
    label("n3", "none"),
    label("n4", "none"),
    label("m1", "near_miss_errors"),
    label("w1", "none"),
  ];
  const outcomes = [
    outcome("s1", 0.99, ["latency_spike"]),
    outcome("s2", 0.97, []),
    outcome("p1", 0.5, ["unusual_path"]),
    outcome("p2", 0.5, ["unusual_path"], []),
    outcome("c1", 0.8, ["cascade_failure"]),
    outcome("n1", 0.98, ["latency_spike"]),
    outcome("n2", 0.1, []),
    outcome("n3", 0.2, []),
    outcome("n4", 0.3, []),
    outcome("m1", 0.4, ["cascade_failure"]),
    // w1 has no outcome (a warm-up trace): not judged.
  ];
  const q = qualityFigures(labels, outcomes);

  it("judges only labelled traces with an outcome", () => {
    expect(q.traces).toBe(10);
    expect(q.labels).toEqual({
      latency_spike: 2,
      unusual_path: 2,
      cascade_failure: 1,
      normal: 4,
      near_miss_errors: 1,
    });
  });

  it.each([
    { type: "latency_spike", precision: 0.5, recall: 0.5 },
    { type: "unusual_path", precision: 1, recall: 1 },
    { type: "cascade_failure", precision: 0.5, recall: 1 },
  ] as const)("scores $type from flagged decisions", ({ type, precision, recall }) => {
    expect(q.per_type[type].precision).toBe(precision);
    expect(q.per_type[type].recall).toBe(recall);
  });

  it("counts a cooldown-suppressed match for per_type but not for per_type_emitted", () => {
    expect(q.per_type.unusual_path.recall).toBe(1);
    expect(q.per_type_emitted.unusual_path.recall).toBe(0.5);
    expect(q.incident_recall.unusual_path).toBe(1);
  });

  it("reports false alerts per 10k normal traces and near-miss alerts", () => {
    expect(q.normal_traces).toBe(4);
    expect(q.false_alerts_per_10k_normal).toBe(2_500);
    expect(q.near_miss_alerts).toEqual({ near_miss_slow: 0, near_miss_errors: 1 });
  });

  it("computes the ROC-AUC of anomaly_score for latency spikes against non-injected traces", () => {
    // Negatives: n1 0.98, n2..n4, m1. s1 0.99 beats all 5; s2 0.97 beats 4 of 5.
    expect(q.roc_auc_anomaly_score.latency_spike).toBe(0.9);
  });

  it("leaves ratios null when there is nothing to divide by", () => {
    const empty = qualityFigures([label("n", "none")], [outcome("n", null, [])]);
    expect(empty.per_type.latency_spike.precision).toBeNull();
    expect(empty.per_type.latency_spike.recall).toBeNull();
    expect(empty.roc_auc_anomaly_score.latency_spike).toBeNull();
  });
});
