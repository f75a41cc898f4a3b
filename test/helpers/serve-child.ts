import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const ROOT = join(import.meta.dirname, "../..");
const TS_REGISTER = join(ROOT, "test/unit/model/helpers/ts-register.mjs");

/** A `tracewatch` CLI run from the sources as a child process, with its log lines collected. */
export interface CliChild {
  readonly child: ChildProcess;
  /** stderr so far (pino JSON lines and the CLI's own messages). */
  stderr(): string;
  /** The parsed JSON log lines so far. */
  logLines(): Record<string, unknown>[];
  /** Resolves with the exit code. */
  exited(): Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Runs `tracewatch ARGS` (what `node bin/tracewatch.js ARGS` runs, from src/ through the test
 * loader instead of dist/) in the repository root with exactly `env` (plus PATH).
 */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv): CliChild {
  const main = new URL("../../src/cli/main.ts", import.meta.url).href;
  const script = `const { run } = await import(${JSON.stringify(main)});
process.exitCode = await run(${JSON.stringify(args)});`;
  const child = spawn(process.execPath, ["--import", TS_REGISTER, "--input-type=module", "-e", script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
  child.stdout!.resume();
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    stderr: () => err,
    logLines: () =>
      err
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    exited: () => exit,
    async stop(graceMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const killed = await Promise.race([exit.then(() => false), sleep(graceMs).then(() => true)]);
        if (killed) child.kill("SIGKILL");
      }
      await exit;
    },
  };
}

/** Polls `check` every 200 ms until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function until<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}
