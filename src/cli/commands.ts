import { retrainCommand } from "./retrain.js";
import { serveCommand } from "./serve.js";
import { replayCommand } from "./replay.js";
import { simulateCommand } from "./simulate.js";
import { evalCommand } from "./eval.js";
import { benchCommand } from "./bench.js";
import { topicsCommand } from "./topics.js";
import { statusCommand } from "./status.js";

import type { Command } from "./command.js";

export type { Command } from "./command.js";

export const commands: readonly Command[] = [
  serveCommand,
  replayCommand,
  simulateCommand,
  retrainCommand,
  topicsCommand,
  statusCommand,
  benchCommand,
  evalCommand,
];
