import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { simulateCommand } from "../../../src/cli/simulate.js";
import { parseLabels } from "../../../src/sim/labels.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tw-sim-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runQuietly(argv: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = "";
  let stdout = "";
  const err = vi
    .spyOn(process.stderr, "write")
    .mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const out = vi
    .spyOn(process.stdout, "write")
    .mockImplementation((chunk) => ((stdout += String(chunk)), true));
  try {
    return { code: await simulateCommand.run(argv), stderr, stdout };
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
}

describe("tracewatch simulate", () => {
  it("writes the same spans and labels twice for the same seed and start time", async () => {
    const outputs: string[] = [];
    for (const run of ["a", "b"]) {
      const spans = join(dir, `${run}.ndjson`);
      const labels = join(dir, `${run}-labels.ndjson`);
      const args = ["--fast", "--seed", "4", "--duration", "40s", "--start-time", "1700000000000"];
      const { code, stderr } = await runQuietly([...args, "--output", `file:${spans}`, "--labels", labels]);
      expect(code).toBe(0);
      expect(stderr).toMatch(/traces \(\d+ spans\) to file:/);
      outputs.push((await readFile(spans, "utf8")) + (await readFile(labels, "utf8")));
    }
    expect(outputs[0]).toBe(outputs[1]);
    const labels = parseLabels(await readFile(join(dir, "a-labels.ndjson"), "utf8"));
    expect(labels.length).toBeGreaterThan(1_700);
    expect(new Set(labels.map((l) => l.label))).toContain("cascade_failure");
    const spanLines = (await readFile(join(dir, "a.ndjson"), "utf8")).split("\n").filter((l) => l !== "");
    const traceIds = new Set(spanLines.map((l) => (JSON.parse(l) as { traceId: string }).traceId));
    expect(traceIds).toEqual(new Set(labels.map((l) => l.traceId)));
  });

  it("prints its options with --help and exits 0", async () => {
    const { code, stdout } = await runQuietly(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("--anomalies LIST");
  });

  it("exits 2 naming every bad flag", async () => {
    const { code, stderr } = await runQuietly(["--rate", "0", "--output", "smtp:x"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--rate");
    expect(stderr).toContain('unknown target "smtp:x"');
  });

  it("exits 1 with the delivery error when the receiver is unreachable", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const url = `http://127.0.0.1:${port}/v1/traces`;
    const { code, stderr } = await runQuietly(["--fast", "--traces", "5", "--output", `otlp-http:${url}`]);
    expect(code).toBe(1);
    expect(stderr).toContain(`stopped: otlp-http:${url}: fetch failed (connect ECONNREFUSED`);
  }, 20_000);
});
