import type { AnomalyCategory, AnomalySchedule } from "./schedule.js";
import { ANOMALY_CATEGORIES, DEFAULT_SCHEDULE } from "./schedule.js";
import { Simulator } from "./simulator.js";

/**
 * The seeded synthetic scenarios the evaluation measures, fixed so that every run scores the
 * detector on exactly the same traces. Each comes with normal training traffic (same topology
 * and request mix including the slow report export, another seed, no injections) that precedes
 * it in event time, so a detector can warm up before the first anomaly.
 */
export interface Scenario {
  readonly name: string;
  readonly seed: number;
  /** Traces per second of event time. */
  readonly ratePerSec: number;
  /** Event time of the scored part's start (Unix ms). */
  readonly startTimeMs: number;
  /** Length of the scored part (ms of event time). */
  readonly durationMs: number;
  /** Length of the normal training traffic before it (ms of event time). */
  readonly trainingMs: number;
  readonly anomalies: readonly AnomalyCategory[];
  readonly schedule: AnomalySchedule;
}

const BASE = Date.UTC(2026, 0, 5, 9, 0, 0);

/** Three seeds, 20 minutes each at 50 traces/s after 10 minutes of normal training traffic. */
export const EVAL_SCENARIOS: readonly Scenario[] = [1, 2, 3].map((seed) => ({
  name: `shop-seed-${seed}`,
  seed,
  ratePerSec: 50,
  startTimeMs: BASE + 600_000,
  durationMs: 1_200_000,
  trainingMs: 600_000,
  anomalies: ANOMALY_CATEGORIES,
  schedule: DEFAULT_SCHEDULE,
}));

/** The scored traffic of a scenario, with labels. */
export function scenarioSimulator(s: Scenario): Simulator {
  return new Simulator({
    seed: s.seed,
    ratePerSec: s.ratePerSec,
    startTimeMs: s.startTimeMs,
    anomalies: s.anomalies,
    schedule: s.schedule,
  });
}

/**
 * Normal traffic for warming a detector up, ending where the scenario starts. It keeps the slow
 * report export (normal traffic that only the near-miss category generates) but injects nothing.
 */
export function trainingSimulator(s: Scenario): Simulator {
  return new Simulator({
    seed: s.seed + 1_000_000,
    ratePerSec: s.ratePerSec,
    startTimeMs: s.startTimeMs - s.trainingMs,
    anomalies: s.anomalies.includes("near-miss") ? ["near-miss"] : [],
    schedule: { warmupMs: 0, periodMs: s.trainingMs, windows: [] },
  });
}
