import { parseArgs, type ParseArgsConfig } from "node:util";
import { closest } from "../config/suggest.js";
import { describeError, isTracewatchError } from "../errors.js";

/** One CLI subcommand. `run` returns the process exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  run(argv: readonly string[]): Promise<number>;
}

/** Exit code of a command called wrongly (unknown option, missing value, bad argument). */
export const USAGE_EXIT_CODE = 2;

/** A command was called wrongly: reported with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The message of one of `parseArgs`'s errors, rewritten for a user, or null for other errors. */
function parseArgsProblem(err: unknown, options: readonly string[]): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) return null;
  const message = describeError(err);
  const option = /'(-[^']*)'/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option !== undefined) {
    const guess = closest(option.replace(/^-+/, ""), options);
    return `unknown option ${option}${guess === undefined ? "" : ` (did you mean --${guess}?)`}`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    return `unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ""}`.trimEnd();
  }
  // Other parseArgs errors ("Option '--config <value>' argument missing") read well as they are.
  return message.split(". ")[0] ?? message;
}

/**
 * `parseArgs` (strict) whose errors are {@link UsageError}s a user can act on: an unknown option
 * names the option it probably was.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    const problem = parseArgsProblem(err, Object.keys(config.options ?? {}));
    if (problem === null) throw err;
    throw new UsageError(problem);
  }
}

/**
 * A subcommand whose failures end as one line on stderr (`tracewatch <name>: [TW_CODE: ]message`)
 * and exit code 1, instead of a stack trace; a wrong call (a {@link UsageError} or an error of
 * `parseArgs`) says to run `--help` and exits with 2.
 */
export function defineCommand(
  name: string,
  summary: string,
  run: (argv: readonly string[]) => Promise<number>,
): Command {
  return {
    name,
    summary,
    async run(argv) {
      try {
        return await run(argv);
      } catch (err) {
        const usage = err instanceof UsageError ? err.message : parseArgsProblem(err, []);
        if (usage !== null) {
          process.stderr.write(
            `tracewatch ${name}: ${usage}\nRun 'tracewatch ${name} --help' for the options.\n`,
          );
          return USAGE_EXIT_CODE;
        }
        const code = isTracewatchError(err) ? `${err.code}: ` : "";
        process.stderr.write(`tracewatch ${name}: ${code}${describeError(err)}\n`);
        return 1;
      }
    },
  };
}
