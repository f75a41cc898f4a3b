import type { Config } from "../config/index.js";
import { rocAuc } from "../core/model/metrics.js";
import {
  labelTrainTicketTrace,
  loadTrainTicketDataset,
  type TrainTicketLabel,
} from "../datasets/trainticket.js";
import { binaryFigures, evaluateTrainTicket, type BinaryFigures } from "./trainticket.js";
import { driveSynthetic } from "./synthetic-run.js";
import { outcomeOf, type TraceOutcome } from "./synthetic-score.js";

/** The TrainTicket part of the evaluation report. */
export interface TrainTicketReport {
  readonly dataset: string;
  readonly traces: number;
  /** Judged traces by label (window_other: in a fault window, not touching the faulty pod; not judged). */
  readonly labels: Readonly<Record<TrainTicketLabel, number>>;
  /** Through the service pipeline (assembler, features, model, rules) with the given config. */
  readonly pipeline: {
    readonly latency_spike: BinaryFigures;
    /** Normal traces flagged by each alert type, per 10,000 normal traces. */
    readonly false_alerts_per_10k_normal: number | null;
    readonly roc_auc_anomaly_score: number;
    readonly warm_up_traces: number;
    readonly models_installed: number;
  };
  /** The model study of evaluateTrainTicket() (src/eval/trainticket.ts, docs/model.md). */
  readonly model: {
    readonly roc_auc: number;
    readonly anomaly_score_ge_threshold: BinaryFigures;
    readonly latency_spike_condition: BinaryFigures;
    readonly static_2x_p99_rule: BinaryFigures;
  };
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * Detection quality on the TrainTicket development split: the recording replayed through the
 * service pipeline on event time with `config` (the fault-free first minute is the warm-up),
 * judged per trace by the README's labels, beside the model study of evaluateTrainTicket().
 */
export async function trainTicketReport(dir: string, config: Config): Promise<TrainTicketReport> {
  // Read and parsed once: the pipeline replay below and the model study both use it.
  const dataset = loadTrainTicketDataset(dir);
  const { traces, faults } = dataset;
  const labelOf = new Map(traces.map((t) => [t.trace.traceId, labelTrainTicketTrace(t, faults)]));
  const firstMs = traces[0]?.startMs ?? 0;
  const outcomes: TraceOutcome[] = [];
  let warmUp = 0;
  const drive = await driveSynthetic({
    config,
    traces: traces.map((t) => ({ spans: t.trace.spans })),
    startTimeMs: firstMs,
    trainAtMs: firstMs + 60_000,
    onVerdict(trace, verdict, inWarmUp) {
      if (inWarmUp || verdict.scored.anomaly_score === null) warmUp++;
      else outcomes.push(outcomeOf(trace.traceId, verdict.scored.anomaly_score, verdict.decisions));
    },
  });
  const judged = outcomes.filter((o) => labelOf.get(o.traceId) !== "window_other");
  const positives = judged.map((o) => labelOf.get(o.traceId) === "anomalous");
  const normal = judged.filter((_, i) => !positives[i]);
  const labels = { anomalous: 0, normal: 0, window_other: 0 };
  for (const o of outcomes) labels[labelOf.get(o.traceId) ?? "window_other"]++;
  const study = evaluateTrainTicket({ dataset }) as {
    roc_auc: number;
    anomaly_score_ge_threshold: BinaryFigures;
    latency_spike_condition: BinaryFigures;
    static_rule: { nearest_rank: BinaryFigures };
  };
  return {
    dataset: dir,
    traces: traces.length,
    labels,
    pipeline: {
      latency_spike: binaryFigures(
        judged.map((o) => o.flagged.includes("latency_spike")),
        positives,
      ),
      false_alerts_per_10k_normal:
        normal.length === 0
          ? null
          : r3((normal.reduce((n, o) => n + o.flagged.length, 0) * 10_000) / normal.length),
      roc_auc_anomaly_score: r3(
        rocAuc(
          judged.map((o) => o.anomalyScore ?? 0),
          positives,
        ),
      ),
      warm_up_traces: warmUp,
      models_installed: drive.modelsInstalled,
    },
    model: {
      roc_auc: study.roc_auc,
      anomaly_score_ge_threshold: study.anomaly_score_ge_threshold,
      latency_spike_condition: study.latency_spike_condition,
      static_2x_p99_rule: study.static_rule.nearest_rank,
    },
  };
}
