import { ManualClock } from "../core/clock.js";
import { extractFeatures } from "../core/features/extract.js";
import type { GroupKeyStrategy } from "../core/features/group-key.js";
import { Detector } from "../core/model/detector.js";
import { loadModel } from "../core/model/model.js";
import { trainModel, type TrainOptions } from "../core/model/trainer.js";
import type { FeatureColumn } from "../core/model/transforms.js";
import { RollingWindow } from "../core/model/window.js";
import type { ScoredTrace } from "../domain/features.js";
import type { TrainTicketLabel, TrainTicketTrace } from "../datasets/trainticket.js";

/** Replay settings; defaults are the product defaults except where the recording is too short. */
export interface ReplayOptions {
  readonly groupKey: GroupKeyStrategy;
  readonly columns: readonly FeatureColumn[];
  /** Default 1 (the recording holds 1,451 traces; at 0.1 the window would hold ~145). */
  readonly sampleRate: number;
  /** Retrain interval on event time, ms. Default 60 s (the recording lasts 80 min). */
  readonly retrainIntervalMs: number;
  /** Default 50 (the fault-free minute holds 62 traces). */
  readonly minSamples: number;
  /** Window capacity (training.max_samples). Default 50,000. */
  readonly maxSamples: number;
  /** Forest subsample size ψ. Default 256. */
  readonly psi: number;
  readonly learnBelow: number;
  readonly minGroupSamples: number;
  readonly seed: number;
}

export const DEFAULT_REPLAY: ReplayOptions = {
  groupKey: "entry",
  columns: [],
  sampleRate: 1,
  retrainIntervalMs: 60_000,
  minSamples: 50,
  maxSamples: 50_000,
  psi: 256,
  learnBelow: 0.95,
  minGroupSamples: 30,
  seed: 1,
};

/** One replayed trace: its label and what the detector said. */
export interface ReplayedTrace {
  readonly label: TrainTicketLabel;
  readonly scored: ScoredTrace;
  readonly faultIndex: number;
}

/** Replay outcome: every trace scored after the first model, plus counts. */
export interface ReplayResult {
  readonly traces: readonly ReplayedTrace[];
  readonly warmUpTraces: number;
  readonly retrains: number;
  readonly refused: number;
}

/**
 * Feeds traces in event-time order through features, scoring, the rolling window and periodic
 * retraining (on event time), as the live service would.
 */
export function replayTrainTicket(
  traces: readonly TrainTicketTrace[],
  labelOf: (t: TrainTicketTrace) => { label: TrainTicketLabel; faultIndex: number },
  o: ReplayOptions,
): ReplayResult {
  const clock = new ManualClock(traces[0]?.startMs ?? 0);
  const window = new RollingWindow({
    clock,
    sampleRate: o.sampleRate,
    maxSamples: o.maxSamples,
    seed: o.seed,
  });
  const detector = new Detector({
    name: "trainticket",
    window,
    groupKey: o.groupKey,
    learnBelow: o.learnBelow,
  });
  const trainOpts: Omit<TrainOptions, "trainedAtMs"> = {
    detector: "trainticket",
    groupKey: o.groupKey,
    columns: o.columns,
    minSamples: o.minSamples,
    maxSamples: o.psi,
    minGroupSamples: o.minGroupSamples,
    seed: o.seed,
  };
  const out: ReplayedTrace[] = [];
  let nextTrain = (traces[0]?.startMs ?? 0) + o.retrainIntervalMs;
  let warm = 0;
  let retrains = 0;
  let refused = 0;
  for (const t of traces) {
    const f = extractFeatures(t.trace, { groupKey: o.groupKey });
    // A trace is processed when it completes: move event time to its end.
    clock.set(f.startTimeMs + f.total_duration);
    while (clock.now() >= nextTrain) {
      const r = trainModel(detector.trainingSet(), { ...trainOpts, trainedAtMs: nextTrain });
      if (r.ok) {
        detector.install(loadModel(r.artifact));
        retrains++;
      } else refused++;
      nextTrain += o.retrainIntervalMs;
    }
    const scored = detector.score(f);
    detector.observe(f, scored);
    if (scored.anomaly_score === null) {
      warm++;
      continue;
    }
    out.push({ ...labelOf(t), scored });
  }
  return { traces: out, warmUpTraces: warm, retrains, refused };
}
