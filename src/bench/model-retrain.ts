import { ManualClock } from "../core/clock.js";
import { Detector } from "../core/model/detector.js";
import { loadModel } from "../core/model/model.js";
import { trainModel } from "../core/model/trainer.js";
import { quantileSorted } from "../core/model/metrics.js";
import { RollingWindow } from "../core/model/window.js";
import { Retrainer } from "../model/retrainer.js";
import { median } from "./ingest-common.js";
import { syntheticFeatures } from "./model-data.js";

/** Options of {@link retrainScoringImpact}. */
export interface RetrainImpactOptions {
  /** Samples in the window being retrained. Default 1,000,000. */
  readonly samples?: number;
  /** Traces per timed scoring batch. Default 200. */
  readonly batch?: number;
  /** Minimum length of a busy phase (retrains back to back), ms; the idle phase after it lasts as long. Default 250. */
  readonly phaseMs?: number;
  /** Retrain/idle phase pairs. Default 3. */
  readonly runs?: number;
  /** Worker duty cycle (see RetrainerOptions). Default the retrainer's default. */
  readonly dutyCycle?: number;
  /** Worker nice value (see RetrainerOptions). Default the retrainer's default. */
  readonly workerNice?: number | null;
  /** Worker script and Node flags, when running from sources rather than dist/. */
  readonly workerUrl?: URL;
  readonly workerExecArgv?: string[];
}

/** Scoring latency of a batch, idle and while a retrain runs in the worker thread. */
export interface RetrainImpact {
  readonly scoring_batch_p99_us_idle: number;
  readonly scoring_batch_p99_us_during_retrain: number;
  /** Median over busy/idle pairs of the pair's p99 ratio, − 1 (0.2 = 20% slower). */
  readonly p99_increase: number;
  /** The same from the pooled latencies of all pairs (more sensitive to outside load). */
  readonly pooled_p99_increase: number;
  readonly pairs: number;
  /** Wall time of one retrain (snapshot to installed model), paced by the duty cycle; median. */
  readonly retrain_ms: number;
  /** Retrains run during the busy phases. */
  readonly retrains: number;
  /** Scoring batches timed while retraining, and idle, over all pairs. */
  readonly batches_busy: number;
  readonly batches_idle: number;
  readonly batch_traces: number;
}

/**
 * Measures what a retrain costs the scoring thread: p99 latency of scoring batches with no
 * retrain, then while the worker trains a model from a large window.
 */
export async function retrainScoringImpact(o: RetrainImpactOptions = {}): Promise<RetrainImpact> {
  const samples = o.samples ?? 1_000_000;
  const batch = o.batch ?? 200;
  const phaseMs = o.phaseMs ?? 250;
  const clock = new ManualClock(1_700_000_000_000 + samples);
  const window = new RollingWindow({ clock, sampleRate: 1, maxSamples: samples });
  const detector = new Detector({ name: "bench", window });
  for (const f of syntheticFeatures(samples, 4).features) detector.observe(f);
  const first = trainModel(detector.trainingSet(), {
    detector: "bench",
    trainedAtMs: clock.now(),
    minSamples: 100,
  });
  if (!first.ok) throw new Error(first.detail);
  detector.install(loadModel(first.artifact));
  const probes = syntheticFeatures(batch * 50, 5).features;
  const retrainer = new Retrainer({
    detector,
    clock,
    train: { minSamples: 100, nEstimators: 100, maxSamples: 256 },
    ...(o.dutyCycle === undefined ? {} : { dutyCycle: o.dutyCycle }),
    ...(o.workerNice === undefined ? {} : { workerNice: o.workerNice }),
    ...(o.workerUrl === undefined ? {} : { workerUrl: o.workerUrl }),
    ...(o.workerExecArgv === undefined ? {} : { workerExecArgv: o.workerExecArgv }),
  });
  try {
    // Warm the worker (thread start-up is not what is measured).
    await retrainer.retrain();
    // Phases alternate, each busy phase (retrains back to back for at least phaseMs) followed by
    // an idle phase as long, so that load from elsewhere on the machine hits both sides alike. The
    // figure is the median over pairs of the pair's p99 ratio: a burst of outside load lands in a
    // few pairs and moves the median little, where one pooled p99 would take it in whole.
    const idle: number[] = [];
    const busy: number[] = [];
    const ratios: number[] = [];
    const retrainTimes: number[] = [];
    for (let r = 0; r < (o.runs ?? 3); r++) {
      const t = performance.now();
      const retrains = retrainsFor(retrainer, phaseMs, retrainTimes);
      const b = await measure(detector, probes, batch, 0, retrains);
      const i = await measure(detector, probes, batch, performance.now() - t, null);
      ratios.push(p99(b) / p99(i));
      busy.push(...b);
      idle.push(...i);
    }
    return {
      scoring_batch_p99_us_idle: p99(idle),
      scoring_batch_p99_us_during_retrain: p99(busy),
      p99_increase: median(ratios) - 1,
      pooled_p99_increase: p99(busy) / p99(idle) - 1,
      pairs: ratios.length,
      retrain_ms: median(retrainTimes),
      retrains: retrainTimes.length,
      batches_busy: busy.length,
      batches_idle: idle.length,
      batch_traces: batch,
    };
  } finally {
    await retrainer.shutdown();
  }
}

function p99(xs: number[]): number {
  return quantileSorted(Float64Array.from(xs).sort(), 0.99);
}

/** Runs retrains one after another until at least `phaseMs` have passed; records each one's wall time. */
async function retrainsFor(retrainer: Retrainer, phaseMs: number, times: number[]): Promise<void> {
  const start = performance.now();
  do {
    const t = performance.now();
    const out = await retrainer.retrain();
    if (out.status !== "installed") throw new Error(`bench retrain not installed: ${JSON.stringify(out)}`);
    times.push(performance.now() - t);
  } while (performance.now() - start < phaseMs);
}

/** Batch latencies (µs) for at least `phaseMs`, and until `until` settles when given. */
async function measure(
  d: Detector,
  probes: readonly import("../domain/features.js").TraceFeatures[],
  batch: number,
  phaseMs: number,
  until: Promise<unknown> | null,
): Promise<number[]> {
  let settled = until === null;
  void until?.then(() => (settled = true));
  const out: number[] = [];
  const start = performance.now();
  let i = 0;
  while (performance.now() - start < phaseMs || !settled) {
    const t = performance.now();
    for (let k = 0; k < batch; k++) d.score(probes[i++ % probes.length] as (typeof probes)[number]);
    out.push((performance.now() - t) * 1000);
    // Yield so worker messages are delivered, as the live pipeline does between traces.
    await new Promise((r) => setImmediate(r));
  }
  return out;
}
