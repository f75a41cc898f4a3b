import { describe, expect, it } from "vitest";
import { checkTargets } from "../../../src/bench/report-targets.js";
import { binaryFigures } from "../../../src/eval/trainticket.js";
import { EVAL_TARGETS } from "../../../src/eval/report.js";

const typeFigures = (precision: number, recall: number) => ({ precision, recall });

function body(o: { spikePrecision: number; falsePer10k: number; nearMissErrors: number; ttF1: number }) {
  return {
    synthetic: {
      per_type: {
        latency_spike: typeFigures(o.spikePrecision, 1),
        unusual_path: typeFigures(1, 1),
        cascade_failure: typeFigures(1, 0.96),
      },
      false_alerts_per_10k_normal: o.falsePer10k,
      near_miss_alerts: { near_miss_slow: 0, near_miss_errors: o.nearMissErrors },
    },
    trainticket: { pipeline: { latency_spike: { f1: o.ttF1 } } },
  };
}

const failing = (b: unknown): string[] =>
  checkTargets(b, EVAL_TARGETS)
    .filter((t) => t.pass !== true)
    .map((t) => t.figure);

describe("EVAL_TARGETS", () => {
  it.each([
    {
      name: "all met",
      o: { spikePrecision: 0.95, falsePer10k: 1, nearMissErrors: 0, ttF1: 0.9 },
      misses: [],
    },
    {
      name: "precision below 0.95",
      o: { spikePrecision: 0.94, falsePer10k: 0, nearMissErrors: 0, ttF1: 0.95 },
      misses: ["synthetic.per_type.latency_spike.precision"],
    },
    {
      name: "too many false alerts and a near-miss alert",
      o: { spikePrecision: 1, falsePer10k: 1.01, nearMissErrors: 1, ttF1: 0.95 },
      misses: ["synthetic.false_alerts_per_10k_normal", "synthetic.near_miss_alerts.near_miss_errors"],
    },
    {
      name: "TrainTicket F1 below 0.90",
      o: { spikePrecision: 1, falsePer10k: 0, nearMissErrors: 0, ttF1: 0.73 },
      misses: ["trainticket.pipeline.latency_spike.f1"],
    },
  ])("$name", ({ o, misses }) => {
    expect(failing(body(o))).toEqual(misses);
  });

  it("does not pass the TrainTicket target when that part was skipped", () => {
    const b = {
      ...body({ spikePrecision: 1, falsePer10k: 0, nearMissErrors: 0, ttF1: 1 }),
      trainticket: { skipped: "x" },
    };
    const tt = checkTargets(b, EVAL_TARGETS).find((t) => t.figure.startsWith("trainticket"));
    expect(tt?.pass).toBeNull();
  });
});

describe("binaryFigures", () => {
  it.each([
    {
      flagged: [true, true, false, false],
      positives: [true, false, true, false],
      expected: { tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5, f1: 0.5 },
    },
    {
      flagged: [true, true, true],
      positives: [true, true, false],
      expected: { tp: 2, fp: 1, fn: 0, precision: 0.667, recall: 1, f1: 0.8 },
    },
    {
      flagged: [false],
      positives: [false],
      expected: { tp: 0, fp: 0, fn: 0, precision: 0, recall: 0, f1: 0 },
    },
  ])("counts and rounds to 3 decimals", ({ flagged, positives, expected }) => {
    expect(binaryFigures(flagged, positives)).toEqual(expected);
  });
});
