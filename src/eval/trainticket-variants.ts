import { GROUP_KEY_STRATEGIES } from "../core/features/group-key.js";
import { COLUMN_SETS, type ColumnSetName } from "../core/model/transforms.js";
import { loadTrainTicketDataset, trainTicketDir } from "../datasets/trainticket.js";
import { evaluateTrainTicket, type TrainTicketEvalOptions } from "./trainticket.js";

/** One row of the design comparison: a configuration and its dev-split figures. */
export interface VariantRow {
  readonly columns: ColumnSetName;
  readonly groupKey: string;
  readonly learnBelow: number;
  readonly rocAuc: number;
  readonly f1: number;
  readonly precision: number;
  readonly recall: number;
  readonly latencySpikeF1: number;
  readonly windowOtherFlagRate: number;
}

/**
 * Replays the dev split once per combination of column set, grouping key and learn-below
 * setting: the measurements behind the defaults documented in docs/model.md.
 */
export function compareTrainTicketVariants(base: TrainTicketEvalOptions = {}): VariantRow[] {
  const rows: VariantRow[] = [];
  // Read and parsed once for all the replays.
  const dataset = base.dataset ?? loadTrainTicketDataset(base.dir ?? trainTicketDir());
  for (const columns of Object.keys(COLUMN_SETS) as ColumnSetName[]) {
    for (const groupKey of GROUP_KEY_STRATEGIES) {
      for (const learnBelow of [1, 0.95]) {
        const r = evaluateTrainTicket({ ...base, dataset, columnSet: columns, groupKey, learnBelow }) as {
          roc_auc: number;
          anomaly_score_ge_threshold: { f1: number; precision: number; recall: number };
          latency_spike_condition: { f1: number };
          window_other_flag_rate: { anomaly_score_ge_threshold: number };
        };
        rows.push({
          columns,
          groupKey,
          learnBelow,
          rocAuc: r.roc_auc,
          f1: r.anomaly_score_ge_threshold.f1,
          precision: r.anomaly_score_ge_threshold.precision,
          recall: r.anomaly_score_ge_threshold.recall,
          latencySpikeF1: r.latency_spike_condition.f1,
          windowOtherFlagRate: r.window_other_flag_rate.anomaly_score_ge_threshold,
        });
      }
    }
  }
  return rows;
}
