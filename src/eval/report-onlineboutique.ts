import type { Config } from "../config/index.js";
import {
  CODE_LEVEL_FAULT_KINDS,
  LATENCY_FAULT_KINDS,
  loadOnlineBoutiqueDataset,
} from "../datasets/onlineboutique.js";
import { datasetReport, type DatasetReport } from "./report-dataset.js";

/** The OnlineBoutique part of the evaluation report. */
export interface OnlineBoutiqueReport extends DatasetReport {
  /** Span files replayed (the fault-free minute first). */
  readonly files: number;
  /** Fault-free traces, and how far their minute was moved to precede the faults (ms, negative: earlier). */
  readonly normal_traces: number;
  readonly normal_shift_ms: number;
}

/**
 * Detection quality on the OnlineBoutique split: the fault-free minute (moved before the faults,
 * see src/datasets/onlineboutique.ts) then the fault minutes replayed through the same pipeline
 * as TrainTicket with `config`, judged by the README's labels, with the latency and code-level
 * fault kinds also reported as groups.
 */
export async function onlineBoutiqueReport(dir: string, config: Config): Promise<OnlineBoutiqueReport> {
  const d = loadOnlineBoutiqueDataset(dir);
  const report = await datasetReport(dir, d.traces, d.faults, config, {
    latency: LATENCY_FAULT_KINDS,
    code_level: CODE_LEVEL_FAULT_KINDS,
  });
  return {
    ...report,
    files: d.files.length,
    normal_traces: d.normalTraces,
    normal_shift_ms: d.normalShiftMs,
  };
}
