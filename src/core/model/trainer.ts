import { DEFAULT_MIN_GROUP_SAMPLES, baselineFor, buildBaselines } from "./baselines.js";
import { CALIBRATION_POINTS, buildCalibration } from "./calibration.js";
import { trainForest, type Forest } from "./forest.js";
import { ForestScorer } from "./forest-scorer.js";
import { quantileSorted } from "./metrics.js";
import { Prng } from "./prng.js";
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelArtifact } from "./artifact.js";
import {
  COLUMN_SETS,
  DEFAULT_COLUMN_SET,
  RAW_DIMS,
  planColumns,
  writeColumns,
  type FeatureColumn,
} from "./transforms.js";
import type { TrainingSet } from "./window.js";
import type { OperationSnapshot } from "./op-baselines.js";

/** A window snapshot with the operation window's, when the detector keeps one. */
export type TrainingInput = TrainingSet & { readonly operations?: OperationSnapshot };
import type { GroupKeyStrategy } from "../features/group-key.js";
import { fnv1a } from "../features/group-key.js";

/** Options of {@link trainModel}. */
export interface TrainOptions {
  readonly detector: string;
  /** Training time, Unix ms (from the caller's clock). */
  readonly trainedAtMs: number;
  /** Strategy the features were extracted with. Default "entry". */
  readonly groupKey?: GroupKeyStrategy;
  /** Model input columns. Default COLUMN_SETS[DEFAULT_COLUMN_SET]. */
  readonly columns?: readonly FeatureColumn[];
  /** Trees. Default 100. */
  readonly nEstimators?: number;
  /** Subsample per tree. Default 256. */
  readonly maxSamples?: number;
  /** Default 1. */
  readonly seed?: number;
  /** Fewer samples than this: the model is refused. Default 500 (config training.min_samples). */
  readonly minSamples?: number;
  /** Default 30. */
  readonly minGroupSamples?: number;
  /** Called between units of work (trees, blocks of calibration rows), e.g. to pace a worker. */
  readonly pace?: () => void;
}

/**
 * Training rows (uniform random subset) scored to build the calibration table (standard error of
 * the 0.95 quantile's rank ≈ 0.002).
 */
const CALIBRATION_SAMPLES = 10_000;
/** Minimum spread (p99 − p1) of the training raw scores; below it the model is refused. */
const MIN_SCORE_SPREAD = 0.005;

/** Why a trained model was refused. */
export type RejectReason = "too_few_samples" | "degenerate_scores";

export type TrainResult =
  | { readonly ok: true; readonly artifact: ModelArtifact }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

/**
 * Trains a model from a window snapshot: baselines and known edges from the window, the forest on
 * the transformed samples, calibration from the forest's scores of those same samples. Pure.
 */
export function trainModel(set: TrainingInput, o: TrainOptions): TrainResult {
  const n = set.groupIndex.length;
  const minSamples = o.minSamples ?? 500;
  if (n < Math.max(2, minSamples)) {
    return { ok: false, reason: "too_few_samples", detail: `${n} samples, ${minSamples} required` };
  }
  const columns = o.columns ?? COLUMN_SETS[DEFAULT_COLUMN_SET];
  const plan = planColumns(columns);
  const baselines = buildBaselines(set.durations, set.rootOf, o.minGroupSamples ?? DEFAULT_MIN_GROUP_SAMPLES);
  const dims = columns.length;
  const x = new Float64Array(n * dims);
  for (let i = 0; i < n; i++) {
    const group = set.groupNames[set.groupIndex[i] as number] as string;
    const b = baselineFor(baselines, group, set.rootNames[set.rootIndex[i] as number] as string);
    writeColumns(plan, set.rows, i * RAW_DIMS, b, x, i * dims);
    if ((i & 8191) === 8191) o.pace?.();
  }
  const params = { nEstimators: o.nEstimators ?? 100, maxSamples: o.maxSamples ?? 256, seed: o.seed ?? 1 };
  const forest = trainForest(x, dims, o.pace === undefined ? params : { ...params, pace: o.pace });
  const raw = scoreInBlocks(
    forest,
    calibrationRows(x, dims, CALIBRATION_SAMPLES, params.seed),
    o.pace,
  ).sort();
  const spread = quantileSorted(raw, 0.99) - quantileSorted(raw, 0.01);
  if (!(spread >= MIN_SCORE_SPREAD)) {
    return {
      ok: false,
      reason: "degenerate_scores",
      detail: `score spread ${spread.toFixed(6)} < ${MIN_SCORE_SPREAD}`,
    };
  }
  const calibration = buildCalibration(raw, CALIBRATION_POINTS);
  return {
    ok: true,
    artifact: {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      detector: o.detector,
      version: modelVersion(o.trainedAtMs, forest.value),
      trainedAtMs: o.trainedAtMs,
      window: { startMs: set.startMs, endMs: set.endMs },
      sampleCount: n,
      observedCount: set.observed,
      groupKey: o.groupKey ?? "entry",
      columns: columns.map((c) => ({ ...c })),
      params,
      forest,
      calibration,
      baselines: {
        minGroupSamples: baselines.minGroupSamples,
        global: baselines.global,
        groups: [...baselines.groups].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
        roots: [...baselines.roots].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
      },
      knownEdges: [...set.edges],
      ...(set.operations === undefined ? {} : { operations: set.operations }),
    },
  };
}

/** Raw scores of `rows`, calling `pace` after every block of 1,000 rows. */
function scoreInBlocks(forest: Forest, rows: Float64Array, pace: (() => void) | undefined): Float64Array {
  const d = forest.dims;
  const n = rows.length / d;
  const out = new Float64Array(n);
  const scorer = new ForestScorer(forest);
  for (let i = 0; i < n; i += 1000) {
    const end = Math.min(n, i + 1000);
    scorer.scoreRows(rows.subarray(i * d, end * d), out.subarray(i, end));
    pace?.();
  }
  return out;
}

/** At most `k` rows of `x`, a uniform random subset (seeded), so calibration cost does not grow with the window. */
function calibrationRows(x: Float64Array, dims: number, k: number, seed: number): Float64Array {
  const n = x.length / dims;
  if (n <= k) return x;
  const prng = new Prng(seed ^ 0x5bd1e995);
  const out = new Float64Array(k * dims);
  // Selection sampling (Knuth's algorithm S): one pass, exactly k rows, in order.
  let chosen = 0;
  for (let i = 0; i < n && chosen < k; i++) {
    if (prng.next() * (n - i) < k - chosen) {
      out.set(x.subarray(i * dims, (i + 1) * dims), chosen * dims);
      chosen++;
    }
  }
  return out;
}

/** `YYYYMMDDTHHMMSSmmmZ-<hash of the forest>`: sorts by training time, differs between models. */
function modelVersion(trainedAtMs: number, values: Float64Array): string {
  const iso = new Date(trainedAtMs).toISOString().replace(/[-:.]/g, "");
  let h = "";
  const step = Math.max(1, Math.floor(values.length / 64));
  for (let i = 0; i < values.length; i += step) h += (values[i] as number).toFixed(6);
  return `${iso}-${fnv1a(h)}`;
}
