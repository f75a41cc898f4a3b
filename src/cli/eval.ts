import { fileURLToPath } from "node:url";
import { onlineBoutiqueDir } from "../datasets/onlineboutique.js";
import { trainTicketDir } from "../datasets/trainticket.js";
import { runEvaluation } from "../eval/index.js";
import { formatEvaluation } from "../eval/report.js";
import { defineCommand, parseCommandArgs, UsageError } from "./command.js";
import { targetsExitCode } from "./targets.js";
import { loadCliConfig } from "./load-config.js";

const example = (name: string): string =>
  fileURLToPath(new URL(`../../config/examples/${name}`, import.meta.url));

const USAGE = `Usage: tracewatch eval [options]

Measures detection quality: a seeded simulated scenario (docs/simulate.md), the TrainTicket
development split and the OnlineBoutique split are replayed through the detection pipeline on
event time, and each trace's alert decisions are scored against its label (docs/evaluation.md).
A split whose directory is missing is skipped, with the reason in the report.

Options:
      --json                  one JSON object on stdout (stable keys) instead of the table
      --config PATH           detector for the synthetic scenario (default config/examples/eval-synthetic.yaml)
      --trainticket-config P  detector for TrainTicket (default config/examples/trainticket.yaml)
      --dataset DIR           TrainTicket directory (default TRACEWATCH_DATASET_DIR or ../shared/datasets/trainticket-nezha)
      --onlineboutique-config P
                              detector for OnlineBoutique (default config/examples/onlineboutique.yaml)
      --onlineboutique-dataset DIR
                              OnlineBoutique directory (default TRACEWATCH_ONLINEBOUTIQUE_DIR or
                              ../shared/datasets/onlineboutique-nezha)
      --seed N                simulator seed (default 1)
      --rate N                simulated traces per second of event time (default 50)
      --minutes N             judged minutes of event time after the 5-minute warm-up (default 15)
      --report-only           exit 0 even when a figure misses its target
  -h, --help                  this text

Exit codes: 0 every measured figure meets its target; 3 a figure missed its target (listed on
stderr; 0 with --report-only); 1 the run failed; 2 wrong usage.
`;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive number, got "${raw}"`);
  return n;
}

async function runEval(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...argv],
    options: {
      json: { type: "boolean" },
      config: { type: "string" },
      "trainticket-config": { type: "string" },
      dataset: { type: "string" },
      "onlineboutique-config": { type: "string" },
      "onlineboutique-dataset": { type: "string" },
      seed: { type: "string" },
      rate: { type: "string" },
      minutes: { type: "string" },
      "report-only": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const report = await runEvaluation({
    syntheticConfig: loadCliConfig(values.config ?? example("eval-synthetic.yaml"), process.env),
    trainTicketConfig: loadCliConfig(
      values["trainticket-config"] ?? example("trainticket.yaml"),
      process.env,
    ),
    trainTicketDir: values.dataset ?? trainTicketDir(),
    onlineBoutiqueConfig: loadCliConfig(
      values["onlineboutique-config"] ?? example("onlineboutique.yaml"),
      process.env,
    ),
    onlineBoutiqueDir: values["onlineboutique-dataset"] ?? onlineBoutiqueDir(),
    scenario: {
      seed: Math.trunc(positive("seed", values.seed, 1)),
      ratePerSec: positive("rate", values.rate, 50),
      durationMs: Math.round(positive("minutes", values.minutes, 15) * 60_000),
    },
    log: (line) => process.stderr.write(`tracewatch eval: ${line}\n`),
  });
  process.stdout.write(
    values.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatEvaluation(report),
  );
  const targets = [...report.targets, ...report.targets_issue12];
  return targetsExitCode("eval", targets, values["report-only"] === true);
}

/** `tracewatch eval`: detection quality on synthetic scenarios and the recorded splits. */
export const evalCommand = defineCommand(
  "eval",
  "measure detection quality on synthetic scenarios and the TrainTicket and OnlineBoutique splits (JSON with --json)",
  runEval,
);
