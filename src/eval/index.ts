import { existsSync } from "node:fs";
import type { Config } from "../config/index.js";
import { runEnvironment, type RunEnvironment } from "../bench/report-env.js";
import { checkTargets, type TargetResult } from "../bench/report-targets.js";
import { trainTicketReport, type TrainTicketReport } from "./report-trainticket.js";
import { EVAL_TARGETS } from "./report.js";
import { evaluateSynthetic, type SyntheticReport, type SyntheticScenario } from "./synthetic.js";

/** Options of {@link runEvaluation}. */
export interface EvaluationOptions {
  /** Detector for the synthetic scenarios (config/examples/eval-synthetic.yaml by the CLI). */
  readonly syntheticConfig: Config;
  readonly scenario?: SyntheticScenario;
  /** Detector for the TrainTicket replay (config/examples/trainticket.yaml by the CLI). */
  readonly trainTicketConfig: Config;
  /** The TrainTicket dataset directory; its part is skipped (with the reason) when it is missing. */
  readonly trainTicketDir: string;
  /** Progress lines (stderr in the CLI). */
  readonly log?: (line: string) => void;
}

/** The `tracewatch eval --json` object; keys are stable. */
export interface EvaluationReport extends RunEnvironment {
  readonly method: string;
  readonly synthetic: SyntheticReport;
  readonly trainticket: TrainTicketReport | { readonly skipped: string };
  readonly targets: readonly TargetResult[];
}

export const EVAL_METHOD =
  "synthetic: seeded simulator traffic replayed on event time through the service pipeline " +
  "(assembler, features, model, rules); a trace counts as flagged with a type when the rule fired " +
  "for it, emitted or suppressed by cooldown (per_type); per_type_emitted counts emitted alerts only. " +
  "trainticket: the dev split replayed the same way, labels per the dataset README. See docs/evaluation.md.";

/** Runs the synthetic scenario and the TrainTicket replay and checks the targets. */
export async function runEvaluation(o: EvaluationOptions): Promise<EvaluationReport> {
  const log = o.log ?? (() => undefined);
  log("synthetic scenario: simulating and replaying through the pipeline");
  const synthetic = await evaluateSynthetic(o.syntheticConfig, o.scenario);
  let trainticket: EvaluationReport["trainticket"];
  if (existsSync(o.trainTicketDir)) {
    log(`TrainTicket dev split: replaying ${o.trainTicketDir}`);
    trainticket = await trainTicketReport(o.trainTicketDir, o.trainTicketConfig);
  } else {
    trainticket = { skipped: `dataset directory ${o.trainTicketDir} not found (set TRACEWATCH_DATASET_DIR)` };
  }
  const body = { synthetic, trainticket };
  return { ...runEnvironment(), method: EVAL_METHOD, ...body, targets: checkTargets(body, EVAL_TARGETS) };
}
