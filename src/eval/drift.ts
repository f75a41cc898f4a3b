import type { Model } from "../core/model/model.js";
import type { TrainStatus } from "../core/pipeline/detection-pipeline.js";
import type { Config } from "../config/index.js";
import { DEFAULT_SCHEDULE, type AnomalyCategory } from "../sim/schedule.js";
import { Simulator, type SimulatedTrace } from "../sim/simulator.js";
import { driveSynthetic } from "./synthetic-run.js";
import { outcomeOf } from "./synthetic-score.js";

/** A long event-time run with many retrains, to see whether the model drifts on its own. */
export interface DriftScenario {
  /** Simulator seed. Default 1. */
  readonly seed?: number;
  /** Traces per second of event time. Default 20. */
  readonly ratePerSec?: number;
  /** Event time simulated, ms. Default 4 h. */
  readonly durationMs?: number;
  /** Training window (overrides training.window), ms. Default 30 min. */
  readonly windowMs?: number;
  /** Retrain interval on event time (overrides training.retrain_interval), ms. Default 5 min. */
  readonly retrainIntervalMs?: number;
  /** Injected anomaly categories; empty for normal traffic only. Default []. */
  readonly anomalies?: readonly AnomalyCategory[];
  /** Groups whose p99 baseline is tracked: the most frequent ones of the first model. Default 3. */
  readonly trackedGroups?: number;
  /** Event time of the first trace, Unix ms. Default 2026-01-01T00:00:00Z. */
  readonly startTimeMs?: number;
}

/** The state after one retrain and what happened to the traffic scored before the next one. */
export interface DriftPoint {
  /** Retrain number (0 = first model). */
  readonly retrain: number;
  /** Event time since the start, minutes. */
  readonly atMin: number;
  /** p99 baseline of each tracked group, ms. */
  readonly p99: Readonly<Record<string, number>>;
  /** Raw isolation score the calibration maps to 0.95. */
  readonly rawAt095: number;
  readonly samples: number;
  /** Normal traces scored by this model. */
  readonly normal: number;
  /** Share of those scored at or above detection.threshold. */
  readonly normalFlaggedRate: number;
  /** Normal traces for which an alert rule fired (emitted or cooldown), per 10,000. */
  readonly falseAlertsPer10k: number;
}

/** Result of {@link measureDrift}. */
export interface DriftReport {
  readonly scenario: Required<DriftScenario>;
  readonly groups: readonly string[];
  readonly points: readonly DriftPoint[];
  /** Per tracked group: last model's p99 / first model's p99. */
  readonly p99Ratio: Readonly<Record<string, number>>;
  /** Retrains refused by the sanity checks. */
  readonly refused: number;
  /** Traces the assembler completed by each reason (root, decision_wait, flush, ...). */
  readonly completedBy: Readonly<Record<string, number>>;
}

const DEFAULTS: Required<DriftScenario> = {
  seed: 1,
  ratePerSec: 20,
  durationMs: 4 * 3_600_000,
  windowMs: 30 * 60_000,
  retrainIntervalMs: 5 * 60_000,
  anomalies: [],
  trackedGroups: 3,
  startTimeMs: Date.UTC(2026, 0, 1),
};

interface Tally {
  normal: number;
  flagged: number;
  alerted: number;
}

/**
 * Runs simulated traffic through the service's detection pipeline on event time, as `tracewatch
 * eval` does ({@link driveSynthetic}: spans in end order, assembly, features → score → window →
 * rules, the first model trained after one retrain interval, then the configured schedule on a
 * short window, many times), recording after each retrain the tracked groups' p99 baselines, the
 * calibration's raw score at 0.95 and, for the traffic that model scored, the flagged share and
 * false alerts of normal traces. Deterministic for a seed.
 */
export async function measureDrift(config: Config, scenario: DriftScenario = {}): Promise<DriftReport> {
  const s = { ...DEFAULTS, ...scenario };
  const cfg: Config = {
    ...config,
    spec: {
      ...config.spec,
      training: { ...config.spec.training, window: s.windowMs, retrain_interval: s.retrainIntervalMs },
    },
  };
  const threshold = cfg.spec.detection.threshold;
  const sim = new Simulator({
    seed: s.seed,
    ratePerSec: s.ratePerSec,
    startTimeMs: s.startTimeMs,
    anomalies: s.anomalies,
    schedule: { ...DEFAULT_SCHEDULE, warmupMs: s.retrainIntervalMs },
  });
  // Only the injected traces are remembered: every other trace is normal.
  const injected = new Set<string>();
  function* traces(): Generator<SimulatedTrace> {
    for (const t of sim.until(s.durationMs)) {
      if (t.label.label !== "normal") injected.add(t.traceId);
      yield t;
    }
  }
  const points: DriftPoint[] = [];
  let groups: string[] = [];
  let refused = 0;
  let tally: Tally = { normal: 0, flagged: 0, alerted: 0 };
  const closePoint = (): void => {
    const last = points[points.length - 1];
    if (last === undefined) return;
    const n = Math.max(1, tally.normal);
    points[points.length - 1] = {
      ...last,
      normal: tally.normal,
      normalFlaggedRate: tally.flagged / n,
      falseAlertsPer10k: (tally.alerted / n) * 10_000,
    };
    tally = { normal: 0, flagged: 0, alerted: 0 };
  };
  const trained = (status: TrainStatus, at: number, model: Model | null): void => {
    if (status === "refused") refused++;
    if (status !== "installed" || model === null) return;
    const a = model.artifact;
    if (groups.length === 0) {
      groups = [...a.baselines.groups]
        .sort((x, y) => y[1].count - x[1].count)
        .slice(0, s.trackedGroups)
        .map(([k]) => k);
    }
    const byGroup = new Map(a.baselines.groups);
    const q = a.calibration.quantiles;
    closePoint();
    points.push({
      retrain: points.length,
      atMin: (at - s.startTimeMs) / 60_000,
      p99: Object.fromEntries(groups.map((g) => [g, byGroup.get(g)?.p99 ?? Number.NaN])),
      rawAt095: q[Math.round(0.95 * (q.length - 1))] as number,
      samples: a.sampleCount,
      normal: 0,
      normalFlaggedRate: 0,
      falseAlertsPer10k: 0,
    });
  };
  const drive = await driveSynthetic({
    config: cfg,
    traces: traces(),
    startTimeMs: s.startTimeMs,
    trainAtMs: s.startTimeMs + s.retrainIntervalMs,
    onTrained: trained,
    onVerdict(trace, v) {
      if (v.scored.anomaly_score === null || injected.has(trace.traceId)) return;
      tally.normal++;
      if (v.scored.anomaly_score >= threshold) tally.flagged++;
      if (outcomeOf(trace.traceId, v.scored.anomaly_score, v.decisions).flagged.length > 0) tally.alerted++;
    },
  });
  closePoint();
  const first = points[0];
  const last = points[points.length - 1];
  const p99Ratio = Object.fromEntries(
    groups.map((g) => [g, first && last ? (last.p99[g] as number) / (first.p99[g] as number) : Number.NaN]),
  );
  return { scenario: s, groups, points, p99Ratio, refused, completedBy: drive.completedBy };
}
