import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/core/clock.js";
import { loadModel } from "../../../../src/core/model/model.js";
import { trainModel } from "../../../../src/core/model/trainer.js";
import { RollingWindow, type TrainingSet } from "../../../../src/core/model/window.js";
import { isTracewatchError } from "../../../../src/errors.js";
import { features, traffic } from "./helpers.js";

function windowOf(fs: ReturnType<typeof traffic>): TrainingSet {
  const w = new RollingWindow({ clock: new ManualClock(0), sampleRate: 1 });
  for (const f of fs) w.observe(f);
  return w.snapshot();
}

const opts = { detector: "d", trainedAtMs: Date.UTC(2026, 0, 2, 3, 4, 5), minSamples: 100 };

describe("trainModel", () => {
  it.each([
    { name: "too few samples", set: () => windowOf(traffic(50, 0, 1000)), reason: "too_few_samples" },
    {
      name: "identical traces",
      set: () => windowOf(Array.from({ length: 300 }, () => features())),
      reason: "degenerate_scores",
    },
  ])("refuses a model trained on $name", ({ set, reason }) => {
    const r = trainModel(set(), opts);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe(reason);
  });

  it("records window, samples, baselines, edges and a time-sortable version", () => {
    const r = trainModel(windowOf(traffic(2000, 0, 60_000)), opts);
    if (!r.ok) throw new Error(r.detail);
    const a = r.artifact;
    expect(a.version).toMatch(/^20260102T030405000Z-[0-9a-f]{8}$/);
    expect(a.sampleCount).toBe(2000);
    expect(a.knownEdges).toEqual(["gw->fast", "gw->slow", "slow->db"]);
    expect(a.baselines.groups.map(([k]) => k)).toEqual(["gw /* > fast /f", "gw /* > slow /s"]);
    const slow = a.baselines.groups.find(([k]) => k === "gw /* > slow /s")?.[1];
    expect(slow?.p50).toBeGreaterThan(300);
    expect(slow?.p99).toBeLessThanOrEqual(480);
  });

  it("calibrates so that about 5% of the training traffic scores at or above 0.95", () => {
    const fs = traffic(4000, 0, 60_000);
    const r = trainModel(windowOf(fs), opts);
    if (!r.ok) throw new Error(r.detail);
    const m = loadModel(r.artifact);
    const flagged = fs.filter((f) => m.score(f).anomalyScore >= 0.95).length / fs.length;
    expect(flagged).toBeGreaterThan(0.03);
    expect(flagged).toBeLessThan(0.07);
  });

  it("scores a slow trace of a fast request type as anomalous and reports new edges", () => {
    const r = trainModel(windowOf(traffic(2000, 0, 60_000)), opts);
    if (!r.ok) throw new Error(r.detail);
    const m = loadModel(r.artifact);
    const spike = m.score(
      features({
        group_key: "gw /* > fast /f",
        total_duration: 400,
        max_span_duration: 390,
        span_count: 8,
        service_hop_count: 2,
        edges: ["gw->fast", "fast->new"],
      }),
    );
    expect(spike.anomalyScore).toBeGreaterThanOrEqual(0.95);
    expect(spike.newEdges).toEqual(["fast->new"]);
    expect(spike.baseline.p50).toBeLessThan(50);
  });

  it("refuses to load a corrupted artifact", () => {
    const r = trainModel(windowOf(traffic(500, 0, 60_000)), opts);
    if (!r.ok) throw new Error(r.detail);
    const left = r.artifact.forest.left.slice();
    left[0] = 0;
    let err: unknown;
    try {
      loadModel({ ...r.artifact, forest: { ...r.artifact.forest, left } });
    } catch (e) {
      err = e;
    }
    expect(isTracewatchError(err, "TW_MODEL_INVALID")).toBe(true);
  });
});
