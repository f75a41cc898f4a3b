import type { PipelineMetrics } from "../pipeline/trace-pipeline.js";
import type { TracewatchMetrics } from "../metrics/pipeline.js";
import type { ScoredTrace } from "../domain/features.js";

/** Version of the feature records on the features topic. */
export const FEATURE_RECORD_VERSION = 1;

/**
 * One scored trace as the features topic carries it (the `retrain` job's input): the trace's
 * features in the seed's snake_case names plus the score it got.
 */
export function featureRecord(s: ScoredTrace): string {
  return JSON.stringify({
    version: FEATURE_RECORD_VERSION,
    ...s.features,
    anomaly_score: s.anomaly_score,
    p99_baseline: s.p99_baseline,
    new_edges: s.new_edges,
    model_version: s.model_version,
  });
}

/** The pipeline's metric hooks on prom-client. */
export function pipelineMetrics(m: TracewatchMetrics): PipelineMetrics {
  return {
    scored(seconds, score) {
      m.scoringDuration.observe(seconds);
      if (score === null) m.tracesScored.inc({ outcome: "warming_up" });
      else {
        m.tracesScored.inc({ outcome: "scored" });
        m.anomalyScore.observe(score);
      }
    },
    failed(stage) {
      m.tracesFailed.inc({ stage });
    },
    repaired(r) {
      if (r.duplicateSpans > 0) m.traceRepairs.inc({ repair: "duplicate_span" }, r.duplicateSpans);
      if (r.parentCycles > 0) m.traceRepairs.inc({ repair: "parent_cycle" }, r.parentCycles);
    },
  };
}
