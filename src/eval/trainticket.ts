import { extractFeatures } from "../core/features/extract.js";
import { quantileSorted, rocAuc } from "../core/model/metrics.js";
import { binaryFigures } from "./dataset-figures.js";
import { COLUMN_SETS, DEFAULT_COLUMN_SET, type ColumnSetName } from "../core/model/transforms.js";
import {
  faultIndexAt,
  labelTrainTicketTrace,
  loadTrainTicketDataset,
  trainTicketDir,
  type TrainTicketDataset,
  type TrainTicketTrace,
} from "../datasets/trainticket.js";
import {
  DEFAULT_REPLAY,
  replayTrainTicket,
  type ReplayOptions,
  type ReplayedTrace,
} from "./trainticket-replay.js";

/** Options of {@link evaluateTrainTicket}. */
export interface TrainTicketEvalOptions extends Partial<Omit<ReplayOptions, "columns">> {
  /** Dataset directory. Default trainTicketDir(). */
  readonly dir?: string;
  /** The split, already loaded (callers replaying it more than once); `dir` is then not read. */
  readonly dataset?: TrainTicketDataset;
  /** Default DEFAULT_COLUMN_SET. */
  readonly columnSet?: ColumnSetName;
  /** detection.threshold. Default 0.95. */
  readonly threshold?: number;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

export { binaryFigures, type BinaryFigures } from "./dataset-figures.js";

/**
 * Replays the TrainTicket development split in time order (fault-free minute first, then the
 * fault files) and reports detection quality against the README's per-trace labels.
 */
export function evaluateTrainTicket(o: TrainTicketEvalOptions = {}): Record<string, unknown> {
  const { dir: dirOption, dataset, columnSet, threshold: thresholdOption, ...overrides } = o;
  const { dir, files, traces, faults } = dataset ?? loadTrainTicketDataset(dirOption ?? trainTicketDir());
  const replay: ReplayOptions = {
    ...DEFAULT_REPLAY,
    ...withoutUndefined(overrides),
    columns: COLUMN_SETS[columnSet ?? DEFAULT_COLUMN_SET],
  };
  const threshold = thresholdOption ?? 0.95;
  const labelOf = (t: TrainTicketTrace) => ({
    label: labelTrainTicketTrace(t, faults),
    faultIndex: faultIndexAt(t.startMs, faults),
  });
  const r = replayTrainTicket(traces, labelOf, replay);
  // window_other and ambiguous traces are neither normal nor anomalous (dataset README).
  const judged = r.traces.filter((t) => t.label === "anomalous" || t.label === "normal");
  const other = r.traces.filter((t) => t.label === "window_other");
  const pos = judged.map((t) => t.label === "anomalous");
  const score = (t: ReplayedTrace): number => t.scored.anomaly_score ?? 0;
  const modelFlag = (t: ReplayedTrace): boolean => score(t) >= threshold;
  const spike = (t: ReplayedTrace): boolean =>
    score(t) > 0.9 && t.scored.features.total_duration > (t.scored.p99_baseline ?? Infinity) * 2;
  const staticRule = staticLatencyRule(traces, files[0] ?? "", judged, pos);
  return {
    dataset: dir,
    config: { ...replay, columns: columnSet ?? DEFAULT_COLUMN_SET, threshold },
    traces: traces.length,
    scored: r.traces.length,
    warm_up_traces: r.warmUpTraces,
    retrains: r.retrains,
    refused_models: r.refused,
    labels: {
      anomalous: pos.filter(Boolean).length,
      normal: pos.length - pos.filter(Boolean).length,
      window_other: other.length,
      ambiguous: r.traces.filter((t) => t.label === "ambiguous").length,
    },
    roc_auc: round(rocAuc(judged.map(score), pos)),
    roc_auc_total_duration: round(
      rocAuc(
        judged.map((t) => t.scored.features.total_duration),
        pos,
      ),
    ),
    anomaly_score_ge_threshold: binaryFigures(judged.map(modelFlag), pos),
    latency_spike_condition: binaryFigures(judged.map(spike), pos),
    static_rule: staticRule,
    window_other_flag_rate: {
      anomaly_score_ge_threshold: round(other.filter(modelFlag).length / Math.max(1, other.length)),
      latency_spike_condition: round(other.filter(spike).length / Math.max(1, other.length)),
    },
    recall_by_fault: faults.map((f, i) => {
      const mine = judged.filter((t) => t.faultIndex === i && t.label === "anomalous");
      return {
        inject_pod: f.injectPod,
        type: f.injectType,
        traces: mine.length,
        recall: round(mine.filter(modelFlag).length / Math.max(1, mine.length)),
      };
    }),
  };
}

/** "total_duration > 2 × p99 of the fault-free minute", p99 interpolated and nearest-rank. */
function staticLatencyRule(
  traces: readonly TrainTicketTrace[],
  normalFile: string,
  judged: readonly ReplayedTrace[],
  pos: readonly boolean[],
): Record<string, unknown> {
  const minute = traces.filter((t) => t.startMs < (traces[0]?.startMs ?? 0) + 60_000);
  const d = Float64Array.from(minute.map((t) => extractFeatures(t.trace).total_duration)).sort();
  const p99 = quantileSorted(d, 0.99);
  const p99NearestRank = d[Math.max(0, Math.ceil(0.99 * d.length) - 1)] ?? Number.NaN;
  const rule = (thr: number) =>
    binaryFigures(
      judged.map((t) => t.scored.features.total_duration > 2 * thr),
      pos,
    );
  return {
    baseline_file: normalFile,
    baseline_traces: d.length,
    p99_interpolated_ms: round(p99),
    p99_nearest_rank_ms: round(p99NearestRank),
    interpolated: rule(p99),
    nearest_rank: rule(p99NearestRank),
  };
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
