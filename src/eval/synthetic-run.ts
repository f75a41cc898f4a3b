import { ManualClock } from "../core/clock.js";
import type { Model } from "../core/model/model.js";
import type { TrainStatus } from "../core/pipeline/detection-pipeline.js";
import type { TraceVerdict } from "../core/pipeline/trace-pipeline.js";
import type { Config } from "../config/index.js";
import type { CompletedTrace } from "../domain/trace.js";
import { createDetectionPipeline } from "../service/pipeline.js";
import { endOrdered, type TimedTrace } from "./synthetic-order.js";

/** Options of {@link driveSynthetic}. */
export interface DriveOptions {
  readonly config: Config;
  /** Traces in start order (the simulator's order; recordings sorted by root start). */
  readonly traces: Iterable<TimedTrace>;
  /** Event time (Unix ms) the traffic starts at: the clock's starting point. */
  readonly startTimeMs: number;
  /**
   * Event time (Unix ms) at which the warm-up ends: a model is trained on the window at the first
   * span ending after it (as `replay --train` does); traces completed before it are warm-up.
   */
  readonly trainAtMs: number;
  /** Every trace the pipeline decided on, with whether it completed before `trainAtMs`. */
  readonly onVerdict: (trace: CompletedTrace, verdict: TraceVerdict, warmUp: boolean) => void;
  /**
   * Every training run (the first at `trainAtMs`, then the schedule's), with the event time it ran
   * at and the model installed then (the new one when `status` is "installed"). Traces decided
   * after it are scored by that model.
   */
  readonly onTrained?: (status: TrainStatus, atMs: number, model: Model | null) => void;
}

/** What a drive did. */
export interface DriveSummary {
  readonly spans: number;
  readonly traces: number;
  readonly modelsInstalled: number;
  readonly modelsRefused: number;
  /** Traces the assembler completed by each reason (root, decision_wait, flush, ...). */
  readonly completedBy: Readonly<Record<string, number>>;
}

const TICK_EVERY_MS = 100;

/**
 * Feeds simulated (or recorded) traffic through the service's own stages on event time, as `tracewatch replay`
 * does: spans reach the assembler in end-time order, the clock follows them, traces complete by
 * root grace or decision wait, then features → score → window → rules; the model retrains on the
 * configured schedule. Alerts are not delivered: every decision is handed to `onVerdict`.
 */
export async function driveSynthetic(o: DriveOptions): Promise<DriveSummary> {
  const clock = new ManualClock(o.startTimeMs);
  const counts = { spans: 0, traces: 0 };
  const completedBy: Record<string, number> = {};
  let warmUp = true;
  const { pipeline, core } = createDetectionPipeline(o.config, {
    clock,
    // The first model is trained at trainAtMs; the schedule runs from then on.
    scheduleBeforeFirstTrain: false,
    onTrained: (status, atMs) => o.onTrained?.(status, atMs, core.detector.model),
    outputs: {
      alert() {},
      decided(verdict, trace) {
        counts.traces++;
        completedBy[trace.reason] = (completedBy[trace.reason] ?? 0) + 1;
        o.onVerdict(trace, verdict, warmUp);
      },
    },
  });
  let lastTick = clock.now();
  for (const span of endOrdered(o.traces)) {
    const now = Number(span.endTimeUnixNano / 1_000_000n);
    if (now > clock.now()) clock.set(now);
    if (warmUp && clock.now() >= o.trainAtMs) {
      pipeline.tick(clock.now());
      warmUp = false;
      pipeline.trainNow();
    }
    pipeline.add([span]);
    counts.spans++;
    if (clock.now() - lastTick >= TICK_EVERY_MS) {
      lastTick = clock.now();
      pipeline.tick(lastTick);
      // Let acknowledgements settle, as a live source does between fetches: traces awaiting
      // acknowledgement count toward the assembler's memory bound and would freeze its clock.
      await pipeline.whenIdle();
    }
  }
  await pipeline.flush();
  await pipeline.shutdown();
  const { retrains } = pipeline.pipelineStats();
  return {
    spans: counts.spans,
    traces: counts.traces,
    modelsInstalled: retrains.installed,
    modelsRefused: retrains.refused,
    completedBy,
  };
}
