import { describe, expect, it } from "vitest";
import type { TrainTicketLabelled } from "../../../src/datasets/trainticket.js";
import {
  aucOrNull,
  datasetFigures,
  falseAlertsPer,
  type FaultRef,
} from "../../../src/eval/dataset-figures.js";
import type { TraceOutcome } from "../../../src/eval/synthetic-score.js";

const FAULTS: FaultRef[] = [
  { injectMs: Date.parse("2022-08-23T12:01:25Z"), service: "frontend", injectType: "cpu_contention" },
  { injectMs: Date.parse("2022-08-23T12:10:21Z"), service: "cartservice", injectType: "network_delay" },
  { injectMs: Date.parse("2022-08-23T12:20:00Z"), service: "adservice", injectType: "exception" },
  // No trace: an incident without data.
  { injectMs: Date.parse("2022-08-23T12:30:00Z"), service: "emailservice", injectType: "exception" },
];

interface Row {
  readonly id: string;
  readonly label: TrainTicketLabelled["label"];
  readonly fault: number;
  readonly score: number;
  /** Flagged alert types; emitted ones are given with their service. */
  readonly flagged?: readonly string[];
  readonly emitted?: readonly (readonly [string, string])[];
}

function build(rows: readonly Row[]): {
  outcomes: TraceOutcome[];
  labelOf: (id: string) => TrainTicketLabelled | undefined;
} {
  const outcomes = rows.map((r): TraceOutcome => ({
    traceId: r.id,
    anomalyScore: r.score,
    flagged: [...new Set([...(r.flagged ?? []), ...(r.emitted ?? []).map(([t]) => t)])],
    emitted: (r.emitted ?? []).map(([t]) => t),
    emittedServices: (r.emitted ?? []).map(([, s]) => s),
  }));
  const labels = new Map(rows.map((r) => [r.id, { label: r.label, faultIndex: r.fault }]));
  return { outcomes, labelOf: (id) => labels.get(id) };
}

const ROWS: Row[] = [
  // Fault 0 (cpu_contention, frontend): 3 affected traces, 2 alerted; alerts name frontend twice, cart once.
  { id: "a1", label: "anomalous", fault: 0, score: 0.99, emitted: [["latency_spike", "frontend"]] },
  {
    id: "a2",
    label: "anomalous",
    fault: 0,
    score: 0.97,
    emitted: [
      ["latency_spike", "frontend"],
      ["unusual_path", "cartservice"],
    ],
  },
  { id: "a3", label: "anomalous", fault: 0, score: 0.6 },
  // Fault 1 (network_delay): 2 affected traces, one flagged only (held back by the cooldown).
  { id: "b1", label: "anomalous", fault: 1, score: 0.8, flagged: ["unusual_path"] },
  { id: "b2", label: "anomalous", fault: 1, score: 0.4 },
  // Fault 2 (exception): one affected trace, not alerted; an alerted ambiguous trace does not count.
  { id: "c1", label: "anomalous", fault: 2, score: 0.5 },
  { id: "c0", label: "ambiguous", fault: 2, score: 0.99, emitted: [["latency_spike", "adservice"]] },
  // Left out of both classes, alert or not.
  { id: "w1", label: "window_other", fault: 0, score: 0.99, emitted: [["latency_spike", "frontend"]] },
  // Normal traces: 4, with 3 flagged (trace, type) pairs on 2 of them.
  {
    id: "n1",
    label: "normal",
    fault: -1,
    score: 0.95,
    emitted: [
      ["latency_spike", "frontend"],
      ["unusual_path", "cartservice"],
    ],
  },
  { id: "n2", label: "normal", fault: -1, score: 0.3, flagged: ["unusual_path"] },
  { id: "n3", label: "normal", fault: -1, score: 0.2 },
  { id: "n4", label: "normal", fault: -1, score: 0.1 },
];

describe("datasetFigures", () => {
  const { outcomes, labelOf } = build(ROWS);
  const f = datasetFigures(FAULTS, outcomes, labelOf, {
    latency: ["cpu_contention", "network_delay", "cpu_consumed"],
    code_level: ["exception", "return"],
  });

  it("counts scored traces by label and judges only anomalous against normal", () => {
    expect(f.labels).toEqual({ anomalous: 6, normal: 4, window_other: 1, ambiguous: 1 });
    // latency_spike flagged on a1, a2 (anomalous) and n1 (normal).
    expect(f.latency_spike).toEqual({ tp: 2, fp: 1, fn: 4, precision: 0.667, recall: 0.333, f1: 0.444 });
  });

  it("counts false alerts of all types per 1,000 normal traces", () => {
    expect(f.false_alerts_per_1k_normal).toBe(750);
    expect(f.false_alerts_per_10k_normal).toBe(7500);
    expect(f.false_alerts_by_type).toEqual({ latency_spike: 1, unusual_path: 2 });
  });

  it.each([
    {
      kind: "cpu_contention",
      expected: {
        incidents: 1,
        incidents_with_data: 1,
        incidents_alerted: 1,
        incidents_alerted_emitted: 1,
        incident_share: 1,
        affected_traces: 3,
        affected_traces_alerted: 2,
        affected_alerted_share: 0.667,
        latency_spike_recall: 0.667,
        culprit_alerts: 3,
        culprit_share: 0.667,
      },
    },
    {
      kind: "network_delay",
      expected: {
        incidents: 1,
        incidents_with_data: 1,
        incidents_alerted: 1,
        // Only held back by the cooldown: alerted, not emitted.
        incidents_alerted_emitted: 0,
        incident_share: 1,
        affected_traces: 2,
        affected_traces_alerted: 1,
        affected_alerted_share: 0.5,
        latency_spike_recall: 0,
        culprit_alerts: 0,
        culprit_share: null,
      },
    },
    {
      kind: "exception",
      expected: {
        incidents: 2,
        incidents_with_data: 1,
        incidents_alerted: 0,
        incidents_alerted_emitted: 0,
        incident_share: 0,
        affected_traces: 1,
        affected_traces_alerted: 0,
        affected_alerted_share: 0,
        latency_spike_recall: 0,
        culprit_alerts: 0,
        culprit_share: null,
      },
    },
  ])("incident figures of $kind", ({ kind, expected }) => {
    expect(f.by_kind[kind]).toMatchObject(expected);
  });

  it("groups kinds, and reports all incidents together", () => {
    expect(f.by_group["latency"]).toMatchObject({
      incidents: 2,
      incidents_with_data: 2,
      incidents_alerted: 2,
      affected_traces: 5,
      affected_traces_alerted: 3,
    });
    expect(f.by_group["code_level"]).toMatchObject({
      incidents: 2,
      incidents_with_data: 1,
      incidents_alerted: 0,
    });
    expect(f.all).toMatchObject({
      incidents: 4,
      incidents_with_data: 3,
      incidents_alerted: 2,
      incident_share: 0.667,
    });
  });

  it("ranks each kind's anomalous traces against all normal traces", () => {
    // cpu_contention: 0.99, 0.97, 0.6 against 0.95, 0.3, 0.2, 0.1: 11 of 12 pairs ordered.
    expect(f.by_kind["cpu_contention"]?.roc_auc_anomaly_score).toBe(0.917);
    // exception: 0.5 against the same: 3 of 4.
    expect(f.by_kind["exception"]?.roc_auc_anomaly_score).toBe(0.75);
  });

  it("gives a row per fault, with the ambiguous and window_other traces it left out", () => {
    expect(
      f.faults.map((r) => [r.inject_time_utc, r.kind, r.affected_traces, r.affected_traces_alerted]),
    ).toEqual([
      ["2022-08-23T12:01:25Z", "cpu_contention", 3, 2],
      ["2022-08-23T12:10:21Z", "network_delay", 2, 1],
      ["2022-08-23T12:20:00Z", "exception", 1, 0],
      ["2022-08-23T12:30:00Z", "exception", 0, 0],
    ]);
    expect(f.faults[0]).toMatchObject({
      emitted_alerts: 3,
      culprit_hits: 2,
      window_other_traces: 1,
      ambiguous_traces: 0,
    });
    expect(f.faults[2]).toMatchObject({ ambiguous_traces: 1, emitted_alerts: 0 });
  });

  it("leaves traces without a label out", () => {
    const extra: TraceOutcome = { traceId: "x", anomalyScore: 1, flagged: ["latency_spike"], emitted: [] };
    const g = datasetFigures(FAULTS, [...outcomes, extra], labelOf);
    expect(g.latency_spike).toEqual(f.latency_spike);
    expect(g.by_group).toEqual({});
  });
});

describe("metric helpers", () => {
  it.each([
    { name: "perfectly ranked", scores: [0.9, 0.8, 0.1, 0.2], positives: [true, true, false, false], auc: 1 },
    { name: "reversed", scores: [0.1, 0.2, 0.9, 0.8], positives: [true, true, false, false], auc: 0 },
    {
      name: "ties count half",
      scores: [0.5, 0.5, 0.5, 0.5],
      positives: [true, false, true, false],
      auc: 0.5,
    },
    {
      name: "one of four pairs wrong",
      scores: [0.9, 0.3, 0.4, 0.1],
      positives: [true, true, false, false],
      auc: 0.75,
    },
    { name: "no positives", scores: [0.9, 0.3], positives: [false, false], auc: null },
  ])("ROC-AUC: $name", ({ scores, positives, auc }) => {
    expect(aucOrNull(scores, positives)).toBe(auc);
  });

  const o = (flagged: string[]): TraceOutcome => ({ traceId: "t", anomalyScore: 0, flagged, emitted: [] });
  it.each([
    { name: "none flagged", normal: [o([]), o([])], per: 1000, value: 0 },
    { name: "one pair in 4", normal: [o(["latency_spike"]), o([]), o([]), o([])], per: 1000, value: 250 },
    {
      name: "all types together",
      normal: [o(["latency_spike", "unusual_path"]), o([])],
      per: 1000,
      value: 1000,
    },
    { name: "per 10,000", normal: [o(["unusual_path"]), o([]), o([])], per: 10_000, value: 3333.333 },
    { name: "no normal traces", normal: [], per: 1000, value: null },
  ])("false alerts: $name", ({ normal, per, value }) => {
    expect(falseAlertsPer(normal, per)).toBe(value);
  });
});
