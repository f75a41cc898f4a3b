import { retrainCommand } from "./retrain.js";
import { serveCommand } from "./serve.js";
import { replayCommand } from "./replay.js";
import { simulateCommand } from "./simulate.js";
import { evalCommand } from "./eval.js";
import { benchCommand } from "./bench.js";

/** One CLI subcommand. `run` returns the process exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  run(argv: readonly string[]): Promise<number>;
}

export const commands: readonly Command[] = [
  serveCommand,
  replayCommand,
  simulateCommand,
  retrainCommand,
  benchCommand,
  evalCommand,
];
