import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/core/clock.js";
import { Detector } from "../../../src/core/model/detector.js";
import { loadModel } from "../../../src/core/model/model.js";
import { RollingWindow } from "../../../src/core/model/window.js";
import { Retrainer, type RetrainOutcome } from "../../../src/model/retrainer.js";
import { features, traffic } from "../core/model/helpers.js";
import { trainedArtifact } from "./fixture.js";

const workerUrl = new URL("../../../src/model/train-worker.ts", import.meta.url);
const workerExecArgv = ["--import", new URL("./helpers/ts-register.mjs", import.meta.url).pathname];
const open: Retrainer[] = [];

function setup(n: number, train: { minSamples: number; nEstimators?: number; maxSamples?: number }) {
  const clock = new ManualClock(1_700_000_000_000);
  const window = new RollingWindow({ clock, sampleRate: 1, maxSamples: 1_000_000 });
  const detector = new Detector({ name: "latency-anomalies", window });
  for (const f of traffic(n, clock.now() - 60_000, 60_000)) detector.observe(f);
  const outcomes: RetrainOutcome[] = [];
  const r = new Retrainer({
    detector,
    clock,
    train,
    workerUrl,
    workerExecArgv,
    onOutcome: (o) => outcomes.push(o),
  });
  open.push(r);
  return { detector, retrainer: r, outcomes };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.shutdown()));
});

describe("retrainer", () => {
  it("trains in a worker thread and installs the model", async () => {
    const { detector, retrainer } = setup(2000, { minSamples: 100 });
    const out = await retrainer.retrain();
    expect(out.status).toBe("installed");
    expect(detector.score(features()).model_version).toBe(out.status === "installed" ? out.version : "");
  }, 30_000);

  it("reports the flagged traces of an incident bucket that training left out", async () => {
    const { detector, retrainer } = setup(0, { minSamples: 100 });
    const now = 1_700_000_000_000;
    // 2,000 scored traces in the last minute, 400 of them flagged: far above the 5% normal tail.
    traffic(2000, now - 60_000, 60_000, 3).forEach((f, i) =>
      detector.observe(f, {
        features: f,
        anomaly_score: i % 5 === 0 ? 0.99 : 0.5,
        p99_baseline: 1,
        new_edges: [],
        new_service_combination: false,
        model_version: "v",
      }),
    );
    const out = await retrainer.retrain();
    expect(out).toMatchObject({ status: "installed", samples: 1600, heldBack: 400 });
  }, 30_000);

  it("keeps scoring on the calling thread while the worker trains", async () => {
    const { detector, retrainer } = setup(20_000, { minSamples: 100, nEstimators: 100, maxSamples: 1024 });
    detector.install(loadModel(trainedArtifact()));
    const before = detector.model?.version;
    const pending = retrainer.retrain();
    let scored = 0;
    let settled = false;
    void pending.then(() => (settled = true));
    const probe = features();
    // Score in small slices, yielding between them, until the worker answers.
    while (!settled) {
      for (let i = 0; i < 1000; i++) if (detector.score(probe).model_version === before) scored++;
      await new Promise((r) => setImmediate(r));
    }
    expect((await pending).status).toBe("installed");
    expect(scored).toBeGreaterThan(1_000);
    expect(detector.model?.version).not.toBe(before);
  }, 60_000);

  it.each([{ name: "too few samples", n: 50, reason: "too_few_samples" }])(
    "refuses a model trained on $name and keeps the old one",
    async ({ n, reason }) => {
      const { detector, retrainer, outcomes } = setup(n, { minSamples: 100 });
      const old = loadModel(trainedArtifact());
      detector.install(old);
      const out = await retrainer.retrain();
      expect(out).toMatchObject({ status: "refused", reason });
      expect(outcomes).toEqual([out]);
      expect(detector.model).toBe(old);
    },
    30_000,
  );

  it("keeps the new model and reports the error when saving it fails", async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const window = new RollingWindow({ clock, sampleRate: 1 });
    const detector = new Detector({ name: "latency-anomalies", window });
    for (const f of traffic(1000, clock.now() - 60_000, 60_000)) detector.observe(f);
    const errors: unknown[] = [];
    const r = new Retrainer({
      detector,
      clock,
      train: { minSamples: 100 },
      workerUrl,
      workerExecArgv,
      onModel: () => Promise.reject(new Error("disk full")),
      onError: (e) => errors.push(e),
    });
    open.push(r);
    const out = await r.retrain();
    expect(out.status).toBe("installed");
    expect(detector.warmingUp).toBe(false);
    expect(errors).toHaveLength(1);
  }, 30_000);

  it("does not start a second retrain while one runs, and stops cleanly twice", async () => {
    const { retrainer } = setup(2000, { minSamples: 100 });
    const first = retrainer.retrain();
    expect(await retrainer.retrain()).toEqual({ status: "skipped", reason: "busy" });
    await first;
    await retrainer.shutdown();
    await retrainer.shutdown();
    expect(await retrainer.retrain()).toEqual({ status: "skipped", reason: "shut_down" });
  }, 30_000);
});
