import { commands, type Command } from "./commands.js";

const USAGE_HEAD = `tracewatch: anomaly detection for distributed traces

Usage: tracewatch <command> [options]

Commands:`;

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `${USAGE_HEAD}\n${lines.join("\n")}\n\nRun 'tracewatch <command> --help' for a command's options.\n`;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (command === undefined) {
    process.stderr.write(`tracewatch: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}
