import { loadCliConfig, DEFAULT_CONFIG_PATH } from "../cli/load-config.js";
import { benchAlertLatency } from "./alert-latency.js";
import { benchBufferedBytes, benchDecodeOtlp } from "./ingest.js";
import { benchKafka } from "./ingest-kafka.js";
import { median } from "./ingest-common.js";
import { compareWithReference, featureSpansPerSec, trainMs } from "./model.js";
import { retrainScoringImpact } from "./model-retrain.js";
import { benchPipeline } from "./pipeline.js";
import { benchConditions } from "./rules.js";

/** What one benchmark part measured: figures by report key, runs per figure, and context. */
export interface PartResult {
  readonly figures: Readonly<Record<string, number | null>>;
  readonly runs: Readonly<Record<string, number>>;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Options every part receives. */
export interface PartOptions {
  /** Fewer runs and smaller workloads (a smoke run, figures less stable). */
  readonly quick: boolean;
  /** Kafka bootstrap addresses (the kafka part only). */
  readonly brokers?: readonly string[];
}

export const PART_NAMES = [
  "decode",
  "buffered",
  "pipeline",
  "alert_latency",
  "rules",
  "model",
  "retrain",
  "kafka",
] as const;
export type PartName = (typeof PART_NAMES)[number];

// The packaged default config, without environment overrides: the same detector every run.
const defaultConfig = () => loadCliConfig(DEFAULT_CONFIG_PATH, {});
const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/** Each part's measurement; every figure is a median over `runs` timed repetitions. */
export const PARTS: Readonly<Record<PartName, (o: PartOptions) => Promise<PartResult>>> = {
  async decode({ quick }) {
    const runs = quick ? 3 : 5;
    const value = await benchDecodeOtlp({ runs, spans: quick ? 100_000 : 200_000 });
    return { figures: { decode_otlp_spans_per_sec: value }, runs: { decode_otlp_spans_per_sec: runs } };
  },
  async buffered({ quick }) {
    const value = await benchBufferedBytes({ bufferedSpans: quick ? 300_000 : 1_000_000 });
    return { figures: { bytes_per_buffered_span: value }, runs: { bytes_per_buffered_span: 1 } };
  },
  async pipeline({ quick }) {
    const r = await benchPipeline({
      config: defaultConfig(),
      // A multiple of three: each of the three passes runs first, second and last equally often.
      // `tracewatch bench` runs this part in several processes and takes the figures over all.
      runs: 3,
      traces: quick ? 8_000 : 20_000,
    });
    return {
      figures: {
        pipeline_spans_per_sec: r.pipeline_spans_per_sec,
        tail_sampling_ratio: r.tail_sampling_ratio,
      },
      runs: { pipeline_spans_per_sec: r.runs, tail_sampling_ratio: r.runs },
      details: { ...r },
    };
  },
  async alert_latency({ quick }) {
    const r = await benchAlertLatency({
      config: defaultConfig(),
      runs: quick ? 1 : 3,
      traces: quick ? 3_000 : 5_000,
    });
    return {
      figures: { alert_latency_p99_ms: r.alert_latency_p99_ms },
      runs: { alert_latency_p99_ms: r.runs },
      details: { ...r },
    };
  },
  async rules({ quick }) {
    const r = benchConditions({ runs: quick ? 3 : 5 });
    return {
      figures: { condition_evals_per_sec: r.condition_evals_per_sec },
      runs: { condition_evals_per_sec: r.runs },
    };
  },
  async model({ quick }) {
    const runs = quick ? 1 : 3;
    const cmp = compareWithReference(quick ? 1 : 5);
    const score = cmp.oursScorePerSec;
    const figures = {
      score_traces_per_sec: Math.round(score),
      ml_isolation_forest_score_traces_per_sec: Math.round(cmp.referenceScorePerSec),
      forest_score_rows_per_sec: Math.round(cmp.oursForestRowsPerSec),
      score_speedup_vs_ml_isolation_forest: Math.round((score / cmp.referenceScorePerSec) * 10) / 10,
      auc_ours: r4(cmp.aucOurs),
      auc_ml_isolation_forest: r4(cmp.aucReference),
      train_100k_ms: Math.round(trainMs(100_000, runs)),
      train_1m_ms: Math.round(trainMs(1_000_000, runs)),
      feature_spans_per_sec: Math.round(featureSpansPerSec(quick ? 1 : 5)),
    };
    const perFigure = Object.fromEntries(Object.keys(figures).map((k) => [k, runs]));
    const comparisonRuns = quick ? 1 : 5;
    return {
      figures,
      runs: {
        ...perFigure,
        score_traces_per_sec: comparisonRuns,
        ml_isolation_forest_score_traces_per_sec: comparisonRuns,
        score_speedup_vs_ml_isolation_forest: comparisonRuns,
        forest_score_rows_per_sec: comparisonRuns,
        feature_spans_per_sec: comparisonRuns,
        auc_ours: comparisonRuns,
        auc_ml_isolation_forest: comparisonRuns,
      },
    };
  },
  async retrain({ quick }) {
    const runs = quick ? 3 : 20;
    const r = await retrainScoringImpact({ runs, phaseMs: 250, samples: quick ? 50_000 : 200_000 });
    return {
      figures: { retrain_scoring_p99_increase: r4(r.p99_increase) },
      runs: { retrain_scoring_p99_increase: runs },
      details: { ...r },
    };
  },
  async kafka({ quick, brokers }) {
    if (brokers === undefined || brokers.length === 0) throw new Error("no Kafka brokers given");
    const runs = quick ? 1 : 3;
    const rates: number[] = [];
    for (let r = 0; r < runs; r++) rates.push(await benchKafka({ brokers, spans: quick ? 50_000 : 100_000 }));
    return {
      figures: { kafka_spans_per_sec: Math.round(median(rates)) },
      runs: { kafka_spans_per_sec: runs },
      details: { brokers, runs_spans_per_sec: rates },
    };
  },
};
