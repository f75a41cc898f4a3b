import { describeError, isTracewatchError } from "../errors.js";

/** One CLI subcommand. `run` returns the process exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  run(argv: readonly string[]): Promise<number>;
}

/**
 * A subcommand whose failures end as one line on stderr (`tracewatch <name>: [TW_CODE: ]message`)
 * and exit code 1, instead of a stack trace.
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
        const code = isTracewatchError(err) ? `${err.code}: ` : "";
        process.stderr.write(`tracewatch ${name}: ${code}${describeError(err)}\n`);
        return 1;
      }
    },
  };
}
