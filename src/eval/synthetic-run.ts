import { TraceAssembler } from "../core/assembler/assembler.js";
import { ManualClock } from "../core/clock.js";
import type { Config } from "../config/index.js";
import type { CompletedTrace } from "../domain/trace.js";
import { TracePipeline, type TraceVerdict } from "../pipeline/trace-pipeline.js";
import { assemblyLimits, buildDetectionCore, retrainSchedule, trainAndInstall } from "../service/detector.js";
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
  const core = buildDetectionCore(o.config, clock);
  const schedule = retrainSchedule(o.config);
  const pipeline = new TracePipeline({
    detector: core.detector,
    alerter: core.alerter,
    outputs: { alert() {} },
  });
  const counts = { spans: 0, traces: 0, installed: 0, refused: 0 };
  const completedBy: Record<string, number> = {};
  let warmUp = true;
  const assembler = new TraceAssembler({
    clock,
    processor: {
      process: async (trace) => {
        counts.traces++;
        completedBy[trace.reason] = (completedBy[trace.reason] ?? 0) + 1;
        o.onVerdict(trace, pipeline.evaluate(trace), warmUp);
      },
    },
    ...assemblyLimits(o.config),
  });
  const train = (): boolean => {
    const installed = trainAndInstall(core, clock.now());
    if (installed) counts.installed++;
    else counts.refused++;
    return installed;
  };
  let lastTick = clock.now();
  for (const span of endOrdered(o.traces)) {
    const now = Number(span.endTimeUnixNano / 1_000_000n);
    if (now > clock.now()) clock.set(now);
    if (warmUp && clock.now() >= o.trainAtMs) {
      assembler.tick(clock.now());
      warmUp = false;
      schedule.ran(clock.now(), train(), false);
    }
    assembler.add([span]);
    counts.spans++;
    if (clock.now() - lastTick >= TICK_EVERY_MS) {
      lastTick = clock.now();
      assembler.tick(lastTick);
      // Let acknowledgements settle, as a live source does between fetches: traces awaiting
      // acknowledgement count toward the assembler's memory bound and would freeze its clock.
      await assembler.whenIdle();
      if (!warmUp && schedule.due(lastTick, core.detector.model !== null, core.window.stats().samples)) {
        const had = core.detector.model !== null;
        schedule.ran(lastTick, train(), had);
      }
    }
  }
  await assembler.flush();
  await assembler.shutdown();
  return {
    spans: counts.spans,
    traces: counts.traces,
    modelsInstalled: counts.installed,
    modelsRefused: counts.refused,
    completedBy,
  };
}
