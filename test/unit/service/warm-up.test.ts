import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { ManualClock } from "../../../src/core/clock.js";
import { describeWarmUp, type WarmUpProgress } from "../../../src/core/model/warm-up.js";
import { TracePipeline } from "../../../src/pipeline/trace-pipeline.js";
import { warmUpReport } from "../../../src/service/api-providers.js";
import { buildDetectionCore, retrainSchedule, trainAndInstall } from "../../../src/service/detector.js";
import { Simulator } from "../../../src/sim/simulator.js";

const START = Date.UTC(2026, 0, 1);

/** The default config's detection core fed simulated normal traffic at `rate` traces/s on event time. */
function run(rate: number, untilMs: number, sampleRate?: number) {
  const base = loadConfig({ path: "config/default.yaml" }, {});
  const config =
    sampleRate === undefined
      ? base
      : { ...base, spec: { ...base.spec, training: { ...base.spec.training, sample_rate: sampleRate } } };
  const clock = new ManualClock(START);
  const core = buildDetectionCore(config, clock);
  const schedule = retrainSchedule(config);
  const pipeline = new TracePipeline({
    detector: core.detector,
    alerter: core.alerter,
    outputs: { alert() {} },
  });
  const sim = new Simulator({ seed: 3, ratePerSec: rate, startTimeMs: START, anomalies: [] });
  let firstModelAtMs: number | null = null;
  let reportBefore: ReturnType<typeof warmUpReport> = null;
  const progress: { atMs: number; p: WarmUpProgress }[] = [];
  for (const t of sim.until(untilMs)) {
    if (t.endTimeMs > clock.now()) clock.set(Math.floor(t.endTimeMs));
    const now = clock.now();
    const hasModel = core.detector.model !== null;
    if (schedule.due(now, hasModel, core.window.size)) {
      const installed = trainAndInstall(core, now);
      schedule.ran(now, installed, hasModel);
      if (installed && firstModelAtMs === null) firstModelAtMs = now - START;
    }
    pipeline.evaluate({ traceId: t.traceId, spans: t.spans, reason: "root", completedAtMs: now });
    if (firstModelAtMs === null) {
      progress.push({ atMs: now - START, p: core.window.warmUp() });
      reportBefore = warmUpReport(core);
    }
  }
  return { config, core, firstModelAtMs, progress, reportBefore };
}

describe("warm-up with the default config", () => {
  it("trains the first model within 10 minutes at 1 trace/s (every trace kept until min_samples)", () => {
    const { config, firstModelAtMs } = run(1, 900_000);
    expect(config.spec.training.sample_rate).toBe(0.1);
    expect(config.spec.training.min_samples).toBe(500);
    expect(firstModelAtMs).not.toBeNull();
    expect(firstModelAtMs as number).toBeLessThan(600_000);
  }, 30_000);

  it("samples at sample_rate once the minimum is reached, with or without a model", () => {
    const { core } = run(5, 400_000);
    // 2,000 traces: 500 kept during warm-up, then about 10% of the other 1,500.
    const s = core.window.stats();
    expect(s.observed).toBeGreaterThan(1_900);
    expect(s.samples).toBeGreaterThan(500 + 100);
    expect(s.samples).toBeLessThan(500 + 220);
  }, 30_000);

  it("reports samples, the minimum and an ETA from the recent rate", () => {
    const { progress } = run(1, 900_000, 0.5);
    // With sample_rate 0.5 warm-up keeps every trace anyway: 1 sample/s, 500 needed.
    const at = progress.find((x) => x.atMs >= 200_000)!;
    expect(at.p.minSamples).toBe(500);
    expect(at.p.samples).toBeGreaterThan(170);
    expect(at.p.samples).toBeLessThan(230);
    expect(at.p.samplesPerSec).toBeGreaterThan(0.7);
    expect(at.p.samplesPerSec).toBeLessThan(1.3);
    const expected = ((500 - at.p.samples) / (at.p.samplesPerSec as number)) * 1000;
    expect(at.p.etaMs).toBeCloseTo(expected, -3);
    expect(at.p.etaMs as number).toBeGreaterThan(200_000);
    expect(at.p.etaMs as number).toBeLessThan(400_000);
    expect(progress[0]!.p.etaMs).toBeNull();
  }, 30_000);

  it("is what /readyz and /api/v1/models report until the first model, then nothing", () => {
    const { core, reportBefore } = run(1, 700_000);
    expect(reportBefore).toMatchObject({ minSamples: 500 });
    expect(reportBefore!.samples).toBeGreaterThan(480);
    expect(reportBefore!.etaSeconds).toBeLessThan(30);
    expect(core.detector.warmingUp).toBe(false);
    expect(warmUpReport(core)).toBeNull();
  }, 30_000);
});

describe("warm-up progress text", () => {
  it.each([
    {
      p: { samples: 412, minSamples: 500, observed: 4_120, samplesPerSec: null, etaMs: null },
      text: "412 of 500 samples after 4,120 traces",
    },
    {
      p: { samples: 250, minSamples: 500, observed: 250, samplesPerSec: 1, etaMs: 250_000 },
      text: "250 of 500 samples after 250 traces, about 250 s to go",
    },
  ])("$text", ({ p, text }) => {
    expect(describeWarmUp(p)).toBe(text);
  });
});
