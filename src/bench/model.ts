import { IsolationForest } from "ml-isolation-forest";
import { ManualClock } from "../core/clock.js";
import { extractFeatures } from "../core/features/extract.js";
import { baselineFor, buildBaselines } from "../core/model/baselines.js";
import { trainForest } from "../core/model/forest.js";
import { ForestScorer, scoreRows } from "../core/model/forest-scorer.js";
import { rocAuc } from "../core/model/metrics.js";
import { loadModel, type Model } from "../core/model/model.js";
import { trainModel } from "../core/model/trainer.js";
import {
  COLUMN_SETS,
  DEFAULT_COLUMN_SET,
  RAW_DIMS,
  planColumns,
  writeColumns,
  writeRaw,
} from "../core/model/transforms.js";
import { RollingWindow, type TrainingSet } from "../core/model/window.js";
import { rootKeyOf } from "../core/model/window-bucket.js";
import type { TraceFeatures } from "../domain/features.js";
import { cpuSeconds, median } from "./ingest-common.js";
import { syntheticFeatures, syntheticTraces } from "./model-data.js";

/** Median of `runs` results of `f`, called one after another. */
const medianOfRuns = (runs: number, f: () => number): number => median(Array.from({ length: runs }, f));

/** A window holding every one of `features` (sample rate 1). */
function windowOf(features: readonly TraceFeatures[]): RollingWindow {
  const w = new RollingWindow({
    clock: new ManualClock(1_700_000_000_000 + features.length),
    sampleRate: 1,
    maxSamples: features.length,
  });
  for (const f of features) w.observe(f);
  return w;
}

function trainedModel(set: TrainingSet, maxSamples = 256): Model {
  const r = trainModel(set, {
    detector: "bench",
    trainedAtMs: 1_700_000_000_000,
    minSamples: 100,
    maxSamples,
  });
  if (!r.ok) throw new Error(`bench model refused: ${r.detail}`);
  return loadModel(r.artifact);
}

/**
 * The same synthetic data as model columns: training and test matrices plus outlier labels. The
 * training set is a window of 20,000 traces by default, the size a production window reaches in
 * minutes: both forests are trained on it (ours subsamples ψ per tree, the reference builds every
 * tree from all of it, which is how each is used).
 */
function comparisonData(
  trainRows = 20_000,
  testRows = 5000,
): {
  dims: number;
  train: Float64Array;
  test: Float64Array;
  outlier: boolean[];
  trainFeatures: TraceFeatures[];
  testFeatures: TraceFeatures[];
} {
  const columns = COLUMN_SETS[DEFAULT_COLUMN_SET];
  const plan = planColumns(columns);
  const all = syntheticFeatures(trainRows + testRows, 3);
  const durations = new Map<string, { total: number[]; maxSpan: number[] }>();
  const rootOf = new Map<string, string>();
  for (const f of all.features.slice(0, trainRows)) {
    let d = durations.get(f.group_key);
    if (d === undefined) durations.set(f.group_key, (d = { total: [], maxSpan: [] }));
    d.total.push(f.total_duration);
    d.maxSpan.push(f.max_span_duration);
    rootOf.set(f.group_key, rootKeyOf(f));
  }
  const baselines = buildBaselines(durations, rootOf);
  const toMatrix = (fs: TraceFeatures[]): Float64Array => {
    const out = new Float64Array(fs.length * columns.length);
    const raw = new Float64Array(RAW_DIMS);
    fs.forEach((f, i) => {
      writeRaw(f, raw, 0);
      writeColumns(plan, raw, 0, baselineFor(baselines, f.group_key, rootKeyOf(f)), out, i * columns.length);
    });
    return out;
  };
  return {
    dims: columns.length,
    train: toMatrix(all.features.slice(0, trainRows)),
    test: toMatrix(all.features.slice(trainRows)),
    outlier: all.outlier.slice(trainRows),
    trainFeatures: all.features.slice(0, trainRows),
    testFeatures: all.features.slice(trainRows),
  };
}

function rowsOf(m: Float64Array, dims: number): number[][] {
  return Array.from({ length: m.length / dims }, (_, i) => Array.from(m.subarray(i * dims, (i + 1) * dims)));
}

/**
 * Both forests on the same data in the same run: ROC-AUC of the bare forests, and scoring rates
 * over the same test traces. Ours is timed on the whole scoring path (`Model.score`: columns, group
 * baseline, forest, calibration, new edges) of a model trained on the same training traces;
 * ml-isolation-forest on `predict` over those traces' model columns.
 */
export function compareWithReference(runs = 3): {
  aucOurs: number;
  aucReference: number;
  oursScorePerSec: number;
  /** Our bare forest (`scoreRows`) over the same matrix `predict` gets: like for like. */
  oursForestRowsPerSec: number;
  referenceScorePerSec: number;
} {
  const d = comparisonData();
  let seed = 0;
  const aucOurs = medianOfRuns(runs, () =>
    rocAuc(scoreRows(trainForest(d.train, d.dims, { seed: ++seed }), d.test), d.outlier),
  );
  const ref = new IsolationForest({ nEstimators: 100 });
  ref.train(rowsOf(d.train, d.dims));
  const test = rowsOf(d.test, d.dims);
  let aucReference = 0;
  const referenceScorePerSec = medianOfRuns(runs, () => {
    let s: number[] = [];
    const rate = test.length / cpuSeconds(() => (s = ref.predict(test)));
    aucReference = rocAuc(s, d.outlier);
    return rate;
  });
  const model = trainedModel(windowOf(d.trainFeatures).snapshot());
  const passes = 20;
  let sink = 0;
  const oursScorePerSec = medianOfRuns(runs, () => {
    const used = cpuSeconds(() => {
      for (let p = 0; p < passes; p++) for (const f of d.testFeatures) sink += model.score(f).anomalyScore;
    });
    return (passes * d.testFeatures.length) / used;
  });
  const forest = new ForestScorer(trainForest(d.train, d.dims, { seed: 1 }));
  const out = new Float64Array(d.testFeatures.length);
  const oursForestRowsPerSec = medianOfRuns(runs, () => {
    const used = cpuSeconds(() => {
      for (let p = 0; p < passes; p++) forest.scoreRows(d.test, out);
    });
    return (passes * out.length) / used;
  });
  return {
    aucOurs,
    aucReference,
    oursScorePerSec: sink === -1 ? 0 : oursScorePerSec,
    oursForestRowsPerSec,
    referenceScorePerSec,
  };
}

/** ms to train a model (baselines, forest, calibration) from a window of `n` samples, snapshot included. */
export function trainMs(n: number, runs = 3): number {
  const w = windowOf(syntheticFeatures(n).features);
  return medianOfRuns(runs, () => {
    const t = performance.now();
    trainedModel(w.snapshot());
    return performance.now() - t;
  });
}

/** Spans/s through extractFeatures on synthetic traces of 50 spans. */
export function featureSpansPerSec(runs = 5, traces = 20_000, spansPerTrace = 50): number {
  const ts = syntheticTraces(traces, spansPerTrace);
  let sink = 0;
  const rate = medianOfRuns(runs, () => {
    const used = cpuSeconds(() => {
      for (const tr of ts) sink += extractFeatures(tr).span_count;
    });
    return (traces * spansPerTrace) / used;
  });
  return sink === -1 ? 0 : rate;
}
