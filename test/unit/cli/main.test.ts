import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const exec = promisify(execFile);
const bin = new URL("../../../bin/tracewatch.js", import.meta.url).pathname;

describe("tracewatch CLI", () => {
  it("lists every command of the design in --help", async () => {
    const { stdout } = await exec(process.execPath, [bin, "--help"]);
    for (const name of ["serve", "replay", "simulate", "retrain", "bench", "eval"]) {
      expect(stdout).toMatch(new RegExp(`^  ${name}\\s`, "m"));
    }
  });

  it("fails with a clear message on an unknown command", async () => {
    await expect(exec(process.execPath, [bin, "frobnicate"])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "frobnicate"'),
    });
  });
});
