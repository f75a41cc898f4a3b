import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../../..");
/** The CLI bundled as `npm run build` would compile it: what a user runs, without a TypeScript loader. */
const BUNDLE_DIR = join(ROOT, "node_modules/.cache", `tracewatch-retrain-rss-${process.pid}`);
const RUNNER = join(BUNDLE_DIR, "run.mjs");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tw-retrain-rss-"));
  await mkdir(BUNDLE_DIR, { recursive: true });
  await build({
    entryPoints: [join(ROOT, "src/cli/main.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile: join(BUNDLE_DIR, "main.mjs"),
    logLevel: "error",
  });
  // Runs the CLI, then reports the process's peak resident set size (KiB) on stderr.
  await writeFile(
    RUNNER,
    `const { run } = await import("./main.mjs");
const code = await run(process.argv.slice(2));
process.stderr.write("maxrss_kib " + process.resourceUsage().maxRSS + "\\n");
process.exitCode = code;
`,
  );
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(BUNDLE_DIR, { recursive: true, force: true });
});

function cli(args: readonly string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [RUNNER, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, out, err })));
}

describe("tracewatch retrain memory", () => {
  it("stays under 300 MB RSS on a span file ten times larger than its window", async () => {
    const spans = join(dir, "spans.ndjson");
    // 400 s of simulated traffic at 50 traces/s with its injected anomalies: 20,000 traces, ~120 MB.
    const sim = await cli([
      "simulate",
      "--fast",
      "--quiet",
      "--seed",
      "7",
      "--rate",
      "50",
      "--duration",
      "400s",
      "--start-time",
      "2024-01-01T00:00:00Z",
      "--output",
      `file:${spans}`,
    ]);
    expect(sim.code, sim.err).toBe(0);
    const bytes = (await stat(spans)).size;
    expect(bytes).toBeGreaterThan(100 * 1024 * 1024);
    // A 40 s window: 2,000 of the file's 20,000 traces.
    const config = join(dir, "detector.yaml");
    await writeFile(
      config,
      `metadata: { name: shop }
spec:
  training: { window: 40s, min_samples: 200 }
  model_store: { dir: ${join(dir, "models")} }
`,
    );
    const job = await cli(["retrain", "-q", "-c", config, spans]);
    expect(job.code, job.err).toBe(0);
    const summary = JSON.parse(job.out) as { records: number; dataFrom: string; dataTo: string };
    expect(summary.records).toBeGreaterThan(19_000);
    expect(Date.parse(summary.dataTo) - Date.parse(summary.dataFrom)).toBeGreaterThanOrEqual(400_000);
    const maxRssKib = Number(/maxrss_kib (\d+)/.exec(job.err)?.[1]);
    process.stdout.write(
      `retrain of a ${(bytes / 1024 / 1024).toFixed(0)} MB span file: peak RSS ${(maxRssKib / 1024).toFixed(0)} MB\n`,
    );
    expect(maxRssKib).toBeGreaterThan(0);
    expect(maxRssKib).toBeLessThan(300 * 1024);
  }, 240_000);
});
