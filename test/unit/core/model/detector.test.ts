import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/core/clock.js";
import { Detector } from "../../../../src/core/model/detector.js";
import { loadModel } from "../../../../src/core/model/model.js";
import { trainModel } from "../../../../src/core/model/trainer.js";
import { RollingWindow } from "../../../../src/core/model/window.js";
import type { ScoredTrace, TraceFeatures } from "../../../../src/domain/features.js";
import { features, traffic } from "./helpers.js";

function setup(learnBelow?: number) {
  const window = new RollingWindow({ clock: new ManualClock(0), sampleRate: 1 });
  const detector = new Detector({ name: "d", window, ...(learnBelow === undefined ? {} : { learnBelow }) });
  return { window, detector };
}

function train(d: Detector) {
  const r = trainModel(d.trainingSet(), { detector: d.name, trainedAtMs: 0, minSamples: 100 });
  if (!r.ok) throw new Error(r.detail);
  return loadModel(r.artifact);
}

describe("detector", () => {
  it("says it is warming up until a model is installed", () => {
    const { detector } = setup();
    expect(detector.warmingUp).toBe(true);
    expect(detector.score(features({ edges: ["never->seen"] }))).toMatchObject({
      anomaly_score: null,
      p99_baseline: null,
      new_edges: [],
      new_service_combination: false,
      model_version: null,
    });
  });

  it("scores with the installed model and swaps models atomically", () => {
    const { detector } = setup();
    for (const f of traffic(1000, 0, 60_000)) detector.observe(f);
    const m1 = train(detector);
    detector.install(m1);
    const s = detector.score(features({ group_key: "gw /* > fast /f", edges: ["gw->fast", "x->y"] }));
    expect(s.model_version).toBe(m1.version);
    expect(s.anomaly_score).not.toBeNull();
    expect(s.p99_baseline).toBeGreaterThan(40);
    expect(s.new_edges).toEqual(["x->y"]);
    expect(s.new_service_combination).toBe(true);
    for (const f of traffic(1000, 60_000, 60_000, 9)) detector.observe(f);
    const m2 = train(detector);
    detector.install(m2);
    expect(detector.score(features()).model_version).toBe(m2.version);
  });

  it.each([
    { learnBelow: 0.95, score: 0.97, flag: "flagged" },
    { learnBelow: 0.95, score: 0.95, flag: "flagged" },
    { learnBelow: 0.95, score: 0.5, flag: "normal" },
    { learnBelow: 0.95, score: null, flag: "unscored" },
    { learnBelow: 1, score: 1, flag: "normal" },
  ] as const)(
    "with learnBelow $learnBelow a trace scored $score counts as $flag",
    ({ learnBelow, score, flag }) => {
      expect(setup(learnBelow).detector.flagOf(score)).toBe(flag);
    },
  );

  it.each([
    // 1,000 scored traces per case, two types at the 5% tail; the bucket's allowance is
    // 6.25% + 3 sd ≈ 85.5 (hold-back.ts): above it each type above its own expectation is held back.
    { learnBelow: 0.95, flagged: 50, learned: 1000 },
    { learnBelow: 0.95, flagged: 85, learned: 1000 },
    { learnBelow: 0.95, flagged: 86, learned: 914 },
    { learnBelow: 0.95, flagged: 400, learned: 600 },
    { learnBelow: 1, flagged: 400, learned: 1000 },
  ])(
    "with learnBelow $learnBelow, $flagged flagged traces of 1,000: $learned learned",
    ({ learnBelow, flagged, learned }) => {
      const { detector } = setup(learnBelow);
      traffic(1000, 0, 60_000).forEach((f, i) => detector.observe(f, scoredAs(f, i < flagged ? 0.99 : 0.5)));
      const set = detector.trainingSet();
      expect(set.groupIndex.length).toBe(learned);
      expect(set.heldBack).toBe(1000 - learned);
    },
  );
});

function scoredAs(f: TraceFeatures, score: number): ScoredTrace {
  return {
    features: f,
    anomaly_score: score,
    p99_baseline: 1,
    new_edges: [],
    new_service_combination: false,
    model_version: "v",
  };
}
