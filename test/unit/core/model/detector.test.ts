import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/core/clock.js";
import { Detector } from "../../../../src/core/model/detector.js";
import { loadModel } from "../../../../src/core/model/model.js";
import { trainModel } from "../../../../src/core/model/trainer.js";
import { RollingWindow } from "../../../../src/core/model/window.js";
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
    { learnBelow: 0.95, score: 0.97, learned: false },
    { learnBelow: 0.95, score: 0.5, learned: true },
    { learnBelow: 1, score: 0.999, learned: true },
  ])(
    "with learnBelow $learnBelow a trace scored $score is learned: $learned",
    ({ learnBelow, score, learned }) => {
      const { window, detector } = setup(learnBelow);
      const f = features();
      detector.observe(f, {
        features: f,
        anomaly_score: score,
        p99_baseline: 1,
        new_edges: [],
        new_service_combination: false,
        model_version: "v",
      });
      expect(window.size).toBe(learned ? 1 : 0);
    },
  );
});
