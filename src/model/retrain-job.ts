import { ManualClock } from "../core/clock.js";
import { extractFeatures } from "../core/features/extract.js";
import type { GroupKeyStrategy } from "../core/features/group-key.js";
import type { ModelArtifact } from "../core/model/artifact.js";
import { Detector } from "../core/model/detector.js";
import { trainModel, type TrainOptions, type TrainResult } from "../core/model/trainer.js";
import { RollingWindow, type RollingWindowOptions } from "../core/model/window.js";
import type { ScoredTrace, TraceFeatures } from "../domain/features.js";
import type { CompletedTrace } from "../domain/trace.js";
import type { ModelStore } from "./store.js";

/** Progress of a retrain job, reported every `progressEvery` records and at each phase change. */
export interface RetrainProgress {
  readonly phase: "reading" | "training" | "saving" | "done";
  readonly records: number;
  readonly windowSamples: number;
}

/** Options of {@link retrainFromFeatures} and {@link retrainFromTraces}. */
export interface RetrainJobOptions {
  readonly detector: string;
  readonly groupKey?: GroupKeyStrategy;
  /** Window settings (clock excluded: the job runs on the records' event time). */
  readonly window?: Omit<RollingWindowOptions, "clock">;
  readonly train?: Omit<TrainOptions, "detector" | "trainedAtMs" | "groupKey">;
  /** Where to save the model; omitted: not saved. */
  readonly store?: ModelStore;
  /** Called with the saved artifact (e.g. to publish it on the model topic). */
  readonly publish?: (a: ModelArtifact) => Promise<void>;
  readonly onProgress?: (p: RetrainProgress) => void;
  /** Default 10,000. */
  readonly progressEvery?: number;
  /**
   * Calibrated score from which a record's trace counts as flagged (detection.threshold): training
   * holds flagged traces back where they are an incident, as serve does (see Detector.learnBelow),
   * judged on the score each record carries (serve's, when it wrote the record; records without
   * one are unscored). Default 0.95.
   */
  readonly learnBelow?: number;
  /** Training time stamp: wall-clock time (the event time range read is recorded as `data`). */
  readonly trainedAtMs: number;
}

/** A feature record: features, and the score serve gave the trace when it wrote the record. */
export type ScoredFeatures = TraceFeatures & { readonly anomaly_score?: number | null };

/** Result of a retrain job: the training result and where the model went. */
export interface RetrainJobResult {
  readonly result: TrainResult;
  readonly records: number;
  readonly path: string | null;
}

/**
 * The `tracewatch retrain` job: reads feature records (the features topic, a file), fills a
 * rolling window on their event time, trains, saves and publishes the model.
 */
export async function retrainFromFeatures(
  records: AsyncIterable<ScoredFeatures> | Iterable<ScoredFeatures>,
  o: RetrainJobOptions,
): Promise<RetrainJobResult> {
  const clock = new ManualClock(0);
  const window = new RollingWindow({ ...o.window, clock });
  const detector = new Detector({
    name: o.detector,
    window,
    groupKey: o.groupKey ?? "entry",
    learnBelow: o.learnBelow ?? 0.95,
  });
  const every = o.progressEvery ?? 10_000;
  let n = 0;
  let latest = Number.NEGATIVE_INFINITY;
  let earliest = Number.POSITIVE_INFINITY;
  for await (const f of records) {
    const end = f.startTimeMs + f.total_duration;
    if (end > latest) latest = end;
    if (f.startTimeMs < earliest) earliest = f.startTimeMs;
    clock.set(end);
    detector.observe(f, { anomaly_score: f.anomaly_score ?? null } as ScoredTrace);
    if (++n % every === 0) o.onProgress?.({ phase: "reading", records: n, windowSamples: window.size });
  }
  o.onProgress?.({ phase: "training", records: n, windowSamples: window.size });
  let result = trainModel(detector.trainingSet(), {
    ...o.train,
    detector: o.detector,
    groupKey: o.groupKey ?? "entry",
    trainedAtMs: o.trainedAtMs,
  });
  if (result.ok && n > 0)
    result = { ...result, artifact: { ...result.artifact, data: { fromMs: earliest, toMs: latest } } };
  let path: string | null = null;
  if (result.ok) {
    o.onProgress?.({ phase: "saving", records: n, windowSamples: window.size });
    if (o.store !== undefined) path = await o.store.save(result.artifact);
    if (o.publish !== undefined) await o.publish(result.artifact);
  }
  o.onProgress?.({ phase: "done", records: n, windowSamples: window.size });
  return { result, records: n, path };
}

/** Same as {@link retrainFromFeatures}, from whole traces (span files). */
export function retrainFromTraces(
  traces: AsyncIterable<CompletedTrace> | Iterable<CompletedTrace>,
  o: RetrainJobOptions,
): Promise<RetrainJobResult> {
  const groupKey = o.groupKey ?? "entry";
  async function* features(): AsyncGenerator<TraceFeatures> {
    for await (const t of traces) yield extractFeatures(t, { groupKey });
  }
  return retrainFromFeatures(features(), o);
}
