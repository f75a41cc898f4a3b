import type { Config } from "../config/index.js";
import { loadTrainTicketDataset } from "../datasets/trainticket.js";
import { datasetReport, type DatasetReport } from "./report-dataset.js";
import { evaluateTrainTicket, type BinaryFigures } from "./trainticket.js";

/** The TrainTicket part of the evaluation report (the pipeline figures of {@link datasetReport}). */
export interface TrainTicketReport extends DatasetReport {
  /** The model study of evaluateTrainTicket() (src/eval/trainticket.ts, docs/model.md). */
  readonly model: {
    readonly roc_auc: number;
    readonly anomaly_score_ge_threshold: BinaryFigures;
    readonly latency_spike_condition: BinaryFigures;
    readonly static_2x_p99_rule: BinaryFigures;
  };
}

/**
 * Detection quality on the TrainTicket development split: the recording replayed through the
 * service pipeline on event time with `config` (the fault-free first minute is the warm-up),
 * judged per trace by the README's labels (ambiguous traces left out), beside the model study of
 * evaluateTrainTicket().
 */
export async function trainTicketReport(dir: string, config: Config): Promise<TrainTicketReport> {
  // Read and parsed once: the pipeline replay below and the model study both use it.
  const dataset = loadTrainTicketDataset(dir);
  const report = await datasetReport(dir, dataset.traces, dataset.faults, config);
  const study = evaluateTrainTicket({ dataset }) as {
    roc_auc: number;
    anomaly_score_ge_threshold: BinaryFigures;
    latency_spike_condition: BinaryFigures;
    static_rule: { nearest_rank: BinaryFigures };
  };
  return {
    ...report,
    model: {
      roc_auc: study.roc_auc,
      anomaly_score_ge_threshold: study.anomaly_score_ge_threshold,
      latency_spike_condition: study.latency_spike_condition,
      static_2x_p99_rule: study.static_rule.nearest_rank,
    },
  };
}
