import { describe, expect, it } from "vitest";
import { evaluateAlerts, incidentKey, rocAuc, type AlertRef } from "../../../src/sim/evaluate.js";
import { makeLabel, type TraceLabel } from "../../../src/sim/labels.js";
import { sampleLabel as label } from "./sample-labels.js";

describe("evaluateAlerts", () => {
  const labels = [
    label("l1", "latency_spike"),
    label("l2", "latency_spike"),
    label("p1", "unusual_path"),
    label("c1", "cascade_failure"),
    label("s1", "near_miss_slow"),
    label("e1", "near_miss_errors"),
    ...Array.from({ length: 8 }, (_, i) => label(`n${i}`, "none")),
  ];

  it("counts true and false positives per type, once per trace and type", () => {
    const alerts: AlertRef[] = [
      { traceId: "l1", type: "latency_spike" },
      { traceId: "l1", type: "latency_spike" },
      { traceId: "n0", type: "latency_spike" },
      { traceId: "p1", type: "unusual_path" },
      { traceId: "c1", type: "latency_spike" },
    ];
    const report = evaluateAlerts(labels, alerts);
    expect(report.perType.latency_spike).toMatchObject({
      labelled: 2,
      alerted: 3,
      truePositives: 1,
      falsePositives: 2,
      falseNegatives: 1,
    });
    expect(report.perType.latency_spike.precision).toBeCloseTo(1 / 3);
    expect(report.perType.latency_spike.recall).toBeCloseTo(0.5);
    expect(report.perType.latency_spike.f1).toBeCloseTo(0.4);
    expect(report.perType.unusual_path).toMatchObject({ precision: 1, recall: 1, f1: 1 });
    expect(report.perType.cascade_failure).toMatchObject({
      alerted: 0,
      precision: null,
      recall: 0,
      f1: null,
    });
    expect(report.normalTraces).toBe(8);
    expect(report.falseAlertsPer10kNormal).toBe(1_250);
  });

  it.each([
    ["near_miss_slow", "s1", { near_miss_slow: 1, near_miss_errors: 0 }],
    ["near_miss_errors", "e1", { near_miss_slow: 0, near_miss_errors: 1 }],
  ])("reports an alert on a %s trace", (_name, traceId, expected) => {
    expect(evaluateAlerts(labels, [{ traceId, type: "cascade_failure" }]).nearMissAlerted).toEqual(expected);
  });

  it("reports alerts for unknown traces and of unknown types instead of dropping them", () => {
    const report = evaluateAlerts(labels, [
      { traceId: "zz", type: "latency_spike" },
      { traceId: "n1", type: "custom_rule" },
    ]);
    expect(report).toMatchObject({ alertsForUnknownTraces: 1, alertsOfOtherTypes: 1 });
  });
});

describe("incident recall", () => {
  const spike = (traceId: string, service: string, windowStartMs: number): TraceLabel =>
    makeLabel(
      traceId,
      {
        kind: "latency_spike",
        shape: "network_delay",
        service,
        addedDelayMs: 1000,
        windowStartMs,
        windowEndMs: windowStartMs + 6_000,
      },
      windowStartMs,
      "search",
    );

  it("counts an incident detected when any one of its traces raised the right alert", () => {
    const labels = [
      spike("a1", "pricing", 15_000),
      spike("a2", "pricing", 15_000),
      spike("b1", "pricing", 75_000),
      spike("c1", "redis", 135_000),
    ];
    const report = evaluateAlerts(labels, [
      { traceId: "a2", type: "latency_spike" },
      { traceId: "b1", type: "unusual_path" },
    ]);
    expect(report.perIncident.latency_spike).toEqual({ incidents: 3, detected: 1, recall: 1 / 3 });
    expect(report.perIncident.cascade_failure).toEqual({ incidents: 0, detected: 0, recall: null });
    expect(report.perType.latency_spike.recall).toBe(0.25);
  });

  it.each([
    ["normal", label("n", "none"), null],
    ["cascade", label("c", "cascade_failure"), "cascade_failure payment 0"],
    ["new edge", label("p", "unusual_path"), "unusual_path checkout->fraud-check 0"],
  ])("keys a %s trace's incident", (_name, l, key) => {
    expect(incidentKey(l)).toBe(key);
  });
});

describe("rocAuc", () => {
  it.each([
    ["perfect separation", [0.1, 0.2, 0.8, 0.9], [false, false, true, true], 1],
    ["inverted", [0.9, 0.8, 0.2, 0.1], [false, false, true, true], 0],
    ["all tied", [0.5, 0.5, 0.5, 0.5], [false, true, false, true], 0.5],
    ["one swap", [0.1, 0.6, 0.5, 0.9], [false, false, true, true], 0.75],
    ["one class only", [0.1, 0.2], [true, true], null],
  ])("%s", (_name, scores, positives, expected) => {
    expect(rocAuc(scores, positives)).toBe(expected);
  });
});
