import { retrainCommand } from "./retrain.js";
import { serveCommand } from "./serve.js";
import { replayCommand } from "./replay.js";
import { simulateCommand } from "./simulate.js";
import { evalCommand } from "./eval.js";

/** One CLI subcommand. `run` returns the process exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  run(argv: readonly string[]): Promise<number>;
}

/** A planned command this build does not provide yet: says so and fails, never fakes output. */
function planned(name: string, summary: string): Command {
  return {
    name,
    summary: `${summary} (not available yet)`,
    async run() {
      process.stderr.write(`tracewatch ${name}: not available in this build yet\n`);
      return 3;
    },
  };
}

export const commands: readonly Command[] = [
  serveCommand,
  replayCommand,
  simulateCommand,
  retrainCommand,
  planned("bench", "run the benchmark suite (JSON with --json)"),
  evalCommand,
];
