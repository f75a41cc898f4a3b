import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../../src/config/index.js";
import { ManualClock } from "../../../../src/core/clock.js";
import type { TrainStatus } from "../../../../src/core/pipeline/detection-pipeline.js";
import type { Span } from "../../../../src/domain/span.js";
import { endOrdered } from "../../../../src/eval/synthetic-order.js";
import { createDetectionPipeline } from "../../../../src/service/pipeline.js";
import { Simulator } from "../../../../src/sim/simulator.js";

const START_MS = Date.UTC(2026, 0, 1);

const CONFIG = `
apiVersion: aiops/v1
kind: TraceAnomalyDetector
metadata:
  name: shop
spec:
  training:
    window: 1h
    min_samples: 50
    retrain_interval: 1m
  assembly:
    decision_wait: 1s
    root_grace: 200ms
`;

/** Normal traffic, 10 traces/s, in end-time order. */
function traffic(ms: number): Span[] {
  const sim = new Simulator({
    seed: 3,
    ratePerSec: 10,
    startTimeMs: START_MS,
    schedule: { warmupMs: ms, periodMs: ms, windows: [] },
  });
  return [...endOrdered(sim.until(ms))];
}

/** A trainer that records when it was asked and answers with `answer()`. */
function recordingTrainer(answer: () => TrainStatus | Promise<TrainStatus>) {
  const calls: number[] = [];
  return { calls, trainer: { train: (nowMs: number) => (calls.push(nowMs), answer()) } };
}

/** Feeds spans on event time, ticking every 100 ms as replay does. */
async function drive(
  p: ReturnType<typeof createDetectionPipeline>["pipeline"],
  clock: ManualClock,
  spans: Span[],
) {
  let last = clock.now();
  for (const s of spans) {
    clock.set(Number(s.endTimeUnixNano / 1_000_000n));
    p.add([s]);
    if (clock.now() - last >= 100) {
      last = clock.now();
      p.tick(last);
      await p.whenIdle();
    }
  }
}

describe("DetectionPipeline", () => {
  it("asks its trainer once the window holds min_samples, then once per retrain_interval, on the clock it is ticked with", async () => {
    const clock = new ManualClock(START_MS);
    const { calls, trainer } = recordingTrainer(() => "refused");
    const { pipeline } = createDetectionPipeline(loadConfig({ text: CONFIG }, {}), {
      clock,
      trainer,
      outputs: { alert() {} },
    });
    await drive(pipeline, clock, traffic(150_000));
    await pipeline.shutdown();
    // 50 samples after about 5 s; checked every 10 s while warming up, then refused models are
    // retried at most every minute (6 warm-up checks).
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls[0]! - START_MS).toBeGreaterThanOrEqual(5_000);
    expect(calls[0]! - START_MS).toBeLessThanOrEqual(20_000);
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(60_000);
    expect(pipeline.pipelineStats().retrains).toEqual({ installed: 0, refused: calls.length, skipped: 0 });
    expect(pipeline.pipelineStats().assembler.completed.root).toBeGreaterThan(1_000);
  });

  it("runs no scheduled retrain before the first trainNow when told so, and schedules from it", async () => {
    const clock = new ManualClock(START_MS);
    const { calls, trainer } = recordingTrainer(() => "refused");
    const { pipeline } = createDetectionPipeline(loadConfig({ text: CONFIG }, {}), {
      clock,
      trainer,
      scheduleBeforeFirstTrain: false,
      outputs: { alert() {} },
    });
    const spans = traffic(200_000);
    const cut = spans.findIndex((s) => s.endTimeUnixNano >= BigInt(START_MS + 100_000) * 1_000_000n);
    await drive(pipeline, clock, spans.slice(0, cut));
    expect(calls).toEqual([]);
    expect(pipeline.trainNow()).toBe("refused");
    await drive(pipeline, clock, spans.slice(cut));
    await pipeline.shutdown();
    expect(calls.length).toBe(2);
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(60_000);
  });

  it("never starts a second run while a worker's run is pending", async () => {
    const clock = new ManualClock(START_MS);
    let finish!: (s: TrainStatus) => void;
    const { calls, trainer } = recordingTrainer(() => new Promise<TrainStatus>((r) => (finish = r)));
    const { pipeline } = createDetectionPipeline(loadConfig({ text: CONFIG }, {}), {
      clock,
      trainer,
      outputs: { alert() {} },
    });
    await drive(pipeline, clock, traffic(150_000));
    expect(calls.length).toBe(1);
    finish("installed");
    await Promise.resolve();
    clock.advance(60_000);
    pipeline.tick(clock.now());
    expect(calls.length).toBe(2);
    finish("skipped");
    await pipeline.shutdown();
    await Promise.resolve();
    expect(pipeline.pipelineStats().retrains).toEqual({ installed: 1, refused: 0, skipped: 1 });
  });
});
