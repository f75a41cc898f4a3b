import { existsSync } from "node:fs";
import type { Config } from "../config/index.js";
import { runEnvironment, type RunEnvironment } from "../bench/report-env.js";
import { checkTargets, type TargetResult } from "../bench/report-targets.js";
import { onlineBoutiqueReport, type OnlineBoutiqueReport } from "./report-onlineboutique.js";
import { trainTicketReport, type TrainTicketReport } from "./report-trainticket.js";
import { EVAL_TARGETS, ISSUE12_TARGETS } from "./report.js";
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
  /** Detector for the OnlineBoutique replay (config/examples/onlineboutique.yaml by the CLI). */
  readonly onlineBoutiqueConfig?: Config;
  /** The OnlineBoutique dataset directory; skipped (with the reason) when missing or when no config is given. */
  readonly onlineBoutiqueDir?: string;
  /** Progress lines (stderr in the CLI). */
  readonly log?: (line: string) => void;
}

/** The `tracewatch eval --json` object; keys are stable. */
export interface EvaluationReport extends RunEnvironment {
  readonly method: string;
  readonly synthetic: SyntheticReport;
  /**
   * The same scenario with a rare-but-normal slow request type (5% of traffic, about 5x slower)
   * and known-but-rare call edges added to the mix (sim/mixes.ts).
   */
  readonly synthetic_rare_slow: SyntheticReport;
  readonly trainticket: TrainTicketReport | { readonly skipped: string };
  readonly onlineboutique: OnlineBoutiqueReport | { readonly skipped: string };
  readonly targets: readonly TargetResult[];
  /** Issue 12's targets on the recorded splits. */
  readonly targets_issue12: readonly TargetResult[];
}

export const EVAL_METHOD =
  "synthetic: seeded simulator traffic replayed on event time through the service pipeline " +
  "(assembler, features, model, rules); a trace counts as flagged with a type when the rule fired " +
  "for it, emitted or suppressed by cooldown (per_type); per_type_emitted counts emitted alerts only. " +
  "trainticket, onlineboutique: the recorded splits replayed the same way (the fault-free minute " +
  "first), judged per trace by the dataset READMEs' labels, ambiguous traces left out. See docs/evaluation.md.";

/** Runs the synthetic scenario and the recorded splits' replays and checks the targets. */
export async function runEvaluation(o: EvaluationOptions): Promise<EvaluationReport> {
  const log = o.log ?? (() => undefined);
  log("synthetic scenario: simulating and replaying through the pipeline");
  const synthetic = await evaluateSynthetic(o.syntheticConfig, o.scenario);
  log("synthetic scenario with a rare slow request type and rare edges");
  const synthetic_rare_slow = await evaluateSynthetic(o.syntheticConfig, { ...o.scenario, mix: "rare_slow" });
  const trainticket = await recordedReport(
    "TrainTicket dev split",
    o.trainTicketDir,
    "TRACEWATCH_DATASET_DIR",
    log,
    (dir) => trainTicketReport(dir, o.trainTicketConfig),
  );
  const onlineboutique =
    o.onlineBoutiqueConfig === undefined || o.onlineBoutiqueDir === undefined
      ? { skipped: "no OnlineBoutique directory or config given" }
      : await recordedReport(
          "OnlineBoutique split",
          o.onlineBoutiqueDir,
          "TRACEWATCH_ONLINEBOUTIQUE_DIR",
          log,
          (dir) => onlineBoutiqueReport(dir, o.onlineBoutiqueConfig as Config),
        );
  const body = { synthetic, synthetic_rare_slow, trainticket, onlineboutique };
  return {
    ...runEnvironment(),
    method: EVAL_METHOD,
    ...body,
    targets: checkTargets(body, EVAL_TARGETS),
    targets_issue12: checkTargets(body, ISSUE12_TARGETS),
  };
}

/**
 * A recorded split's report from `run`, or why it was skipped: its directory is missing, or a
 * file or directory in it (labels, minute files) is.
 */
export async function recordedReport<T>(
  name: string,
  dir: string,
  envVar: string,
  log: (line: string) => void,
  run: (dir: string) => Promise<T>,
): Promise<T | { readonly skipped: string }> {
  if (!existsSync(dir)) {
    log(`${name}: skipped, dataset directory ${dir} not found (set ${envVar})`);
    return { skipped: `dataset directory ${dir} not found (set ${envVar})` };
  }
  log(`${name}: replaying ${dir}`);
  try {
    return await run(dir);
  } catch (e) {
    // An incomplete copy (a missing labels/ or trace/ directory) is reported, not a crash.
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    log(`${name}: skipped, ${(e as Error).message}`);
    return { skipped: `dataset incomplete: ${(e as Error).message}` };
  }
}
