import { vi } from "vitest";

/** What a command run in process answered: its exit code and what it wrote to stdout and stderr. */
export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command in process (`run` returns its exit code) with stdout and stderr captured instead
 * of written; both are restored afterwards, also when `run` throws.
 */
export async function captureCli(run: () => Promise<number>): Promise<CliOutcome> {
  const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    const code = await run();
    const text = (spy: typeof out) => spy.mock.calls.map((c) => String(c[0])).join("");
    return { code, stdout: text(out), stderr: text(err) };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
