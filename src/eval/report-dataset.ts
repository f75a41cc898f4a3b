import type { Config } from "../config/index.js";
import {
  labelTrainTicketFault,
  type TrainTicketFault,
  type TrainTicketLabel,
  type TrainTicketTrace,
} from "../datasets/trainticket.js";
import { datasetFigures, type DatasetFigures } from "./dataset-figures.js";
import { driveSynthetic } from "./synthetic-run.js";
import { outcomeOf, type TraceOutcome } from "./synthetic-score.js";

/** What replaying a recorded split through the pipeline gave. */
export interface DatasetReplay {
  /** One per trace decided after the first model (warm-up traces are left out). */
  readonly outcomes: readonly TraceOutcome[];
  /** Traces decided before the first model, or scored without one. */
  readonly warmUpTraces: number;
  readonly modelsInstalled: number;
  readonly modelsRefused: number;
}

/**
 * Replays a recorded split (traces sorted by start, the fault-free minute first) through the
 * service pipeline on event time with `config`, exactly as the synthetic scenario is
 * ({@link driveSynthetic}): the first model is trained one minute of event time after the first
 * trace (the fault-free minute is the warm-up), then on the configured schedule.
 */
export async function replayDataset(
  traces: readonly TrainTicketTrace[],
  config: Config,
): Promise<DatasetReplay> {
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
  return {
    outcomes,
    warmUpTraces: warmUp,
    modelsInstalled: drive.modelsInstalled,
    modelsRefused: drive.modelsRefused,
  };
}

/** The pipeline part of a recorded split's report: the figures and how the replay went. */
export interface DatasetPipelineFigures extends DatasetFigures {
  readonly warm_up_traces: number;
  readonly models_installed: number;
  readonly models_refused: number;
}

/** The part of the report every recorded split has; keys are stable. */
export interface DatasetReport {
  readonly dataset: string;
  /** Traces loaded. */
  readonly traces: number;
  /** Judged traces (scored after the warm-up) by label; see pipeline.labels. */
  readonly labels: Readonly<Record<TrainTicketLabel, number>>;
  /** Every loaded trace by label (warm-up included). */
  readonly labels_loaded: Readonly<Record<TrainTicketLabel, number>>;
  readonly pipeline: DatasetPipelineFigures;
}

/**
 * Replays a split through the pipeline ({@link replayDataset}) and judges it by the READMEs'
 * per-trace labels ({@link datasetFigures}); `groups` are named sets of fault kinds.
 */
export async function datasetReport(
  dir: string,
  traces: readonly TrainTicketTrace[],
  faults: readonly TrainTicketFault[],
  config: Config,
  groups: Readonly<Record<string, readonly string[]>> = {},
): Promise<DatasetReport> {
  const labelled = new Map(traces.map((t) => [t.trace.traceId, labelTrainTicketFault(t, faults)]));
  const loaded: Record<TrainTicketLabel, number> = { anomalous: 0, normal: 0, window_other: 0, ambiguous: 0 };
  for (const l of labelled.values()) loaded[l.label]++;
  const r = await replayDataset(traces, config);
  const figures = datasetFigures(faults, r.outcomes, (id) => labelled.get(id), groups);
  return {
    dataset: dir,
    traces: traces.length,
    labels: figures.labels,
    labels_loaded: loaded,
    pipeline: {
      ...figures,
      warm_up_traces: r.warmUpTraces,
      models_installed: r.modelsInstalled,
      models_refused: r.modelsRefused,
    },
  };
}
