import type { Config } from "../config/index.js";
import type { TraceLabel } from "../sim/labels.js";
import { DEFAULT_SCHEDULE } from "../sim/schedule.js";
import { RARE_SLOW_MIX } from "../sim/mixes.js";
import { Simulator, type SimulatedTrace } from "../sim/simulator.js";
import { driveSynthetic, type DriveSummary } from "./synthetic-run.js";
import { outcomeOf, qualityFigures, type QualityFigures, type TraceOutcome } from "./synthetic-score.js";

/** A seeded simulated scenario. */
export interface SyntheticScenario {
  /** Simulator seed. Default 1. */
  readonly seed?: number;
  /** Traces per second of event time. Default 50. */
  readonly ratePerSec?: number;
  /** Normal traffic before the first model and the first injection, ms. Default 300,000. */
  readonly warmupMs?: number;
  /** Evaluated traffic after the warm-up, ms of event time. Default 900,000 (15 periods). */
  readonly durationMs?: number;
  /** Event time of the first trace (Unix ms). Default 2026-01-01T00:00:00Z. */
  readonly startTimeMs?: number;
  /**
   * Request mix: "default" (the simulator's), or "rare_slow": the default plus a rare-but-normal
   * slow request type (5% of traffic, about 5x slower) and known-but-rare call edges (sim/mixes.ts).
   */
  readonly mix?: "default" | "rare_slow";
}

/** The synthetic part of the evaluation report. */
export interface SyntheticReport extends QualityFigures {
  readonly scenario: Required<SyntheticScenario> & { readonly schedule_period_ms: number };
  /** Traces completed during the warm-up (not judged). */
  readonly warm_up_traces: number;
  /** Traces completed after the warm-up but scored without a model (not judged). */
  readonly unscored_traces: number;
  readonly pipeline: DriveSummary;
}

const DEFAULTS: Required<SyntheticScenario> = {
  seed: 1,
  ratePerSec: 50,
  warmupMs: 300_000,
  durationMs: 900_000,
  startTimeMs: Date.UTC(2026, 0, 1),
  mix: "default",
};

/**
 * Runs a seeded simulation through the detection pipeline on event time (see
 * {@link driveSynthetic}) and scores each trace's alert decisions against its label.
 */
export async function evaluateSynthetic(
  config: Config,
  scenario: SyntheticScenario = {},
): Promise<SyntheticReport> {
  const s = { ...DEFAULTS, ...scenario };
  const schedule = { ...DEFAULT_SCHEDULE, warmupMs: s.warmupMs };
  const simulator = new Simulator({
    seed: s.seed,
    ratePerSec: s.ratePerSec,
    startTimeMs: s.startTimeMs,
    schedule,
    ...(s.mix === "rare_slow" ? { requestTypes: RARE_SLOW_MIX } : {}),
  });
  const labels: TraceLabel[] = [];
  const outcomes: TraceOutcome[] = [];
  let warmUp = 0;
  let unscored = 0;
  function* traces(): Generator<SimulatedTrace> {
    for (const t of simulator.until(s.warmupMs + s.durationMs)) {
      labels.push(t.label);
      yield t;
    }
  }
  const pipeline = await driveSynthetic({
    config,
    traces: traces(),
    startTimeMs: s.startTimeMs,
    trainAtMs: s.startTimeMs + s.warmupMs,
    onVerdict(trace, verdict, inWarmUp) {
      if (inWarmUp) warmUp++;
      else if (verdict.scored.anomaly_score === null) unscored++;
      else outcomes.push(outcomeOf(trace.traceId, verdict.scored.anomaly_score, verdict.decisions));
    },
  });
  return {
    scenario: { ...s, schedule_period_ms: schedule.periodMs },
    warm_up_traces: warmUp,
    unscored_traces: unscored,
    pipeline,
    ...qualityFigures(labels, outcomes),
  };
}
