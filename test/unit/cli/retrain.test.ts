import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { retrainCommand, runRetrain } from "../../../src/cli/retrain.js";
import { decodeArtifact } from "../../../src/model/codec.js";
import { encodeNativeJson } from "../../../src/decode/index.js";
import type { Span } from "../../../src/domain/span.js";
import { captureCli } from "../../helpers/cli-output.js";

const START_MS = 1_700_000_000_000;
const TRACES = 600;

/** One trace a second: a gateway span and its child, 20-80 ms long (`slowMs` instead when given). */
function trace(i: number, slowMs?: number): Span[] {
  const traceId = (i + 1).toString(16).padStart(32, "0");
  const start = BigInt(START_MS + i * 1_000) * 1_000_000n;
  const end = start + BigInt(slowMs ?? 20 + (i % 7) * 10) * 1_000_000n;
  const span = (spanId: string, parentSpanId: string | null, service: string): Span => ({
    traceId,
    spanId,
    parentSpanId,
    service,
    name: `${service} op`,
    kind: parentSpanId === null ? "SERVER" : "INTERNAL",
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    status: "UNSET",
    attributes: {},
  });
  return [span(traceId.slice(16), null, "gw"), span(`${traceId.slice(17)}1`, traceId.slice(16), "api")];
}

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/**
 * Writes `spans` to a span file and a detector document training on a `window` window, both in a
 * fresh directory; returns the retrain arguments that read them (`-c <document> --quiet <file>`).
 */
async function retrainInputs(spans: Span[], window: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), "tw-retrain-cli-"));
  dirs.push(dir);
  const file = join(dir, "spans.ndjson");
  await writeFile(file, encodeNativeJson(spans));
  const config = join(dir, "detector.yaml");
  await writeFile(
    config,
    `metadata: { name: shop }
spec:
  training: { window: ${window}, sample_rate: 1.0, min_samples: 100 }
  model_store: { dir: ${join(dir, "models")} }
`,
  );
  return ["-c", config, "--quiet", file];
}

describe("tracewatch retrain from span files", () => {
  it("trains on the traces of the last window whatever order the file holds the spans in", async () => {
    // Traces in a shuffled order: the job must still age the window on the traces' end times.
    const order = Array.from({ length: TRACES }, (_, i) => (i * 389) % TRACES);
    const args = await retrainInputs(order.flatMap(trace), "2m");
    const { code, stdout } = await captureCli(() => retrainCommand.run(args));
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as { samples: number; records: number; published: boolean };
    expect(summary.records).toBe(TRACES);
    // One trace a second: a 2-minute window holds about the last 120.
    expect(summary.samples).toBeGreaterThanOrEqual(118);
    expect(summary.samples).toBeLessThanOrEqual(122);
    expect(summary.published).toBe(false);
  });
});

describe("tracewatch retrain learns as serve does", () => {
  it("holds back an incident in the files, stamps wall-clock trainedAt and records the data's event time range", async () => {
    // 30 minutes of normal traffic, then 2 minutes in which every trace takes 2 s: an incident.
    const normal = 1_800;
    const incident = 120;
    const spans = Array.from({ length: normal + incident }, (_, i) =>
      trace(i, i >= normal ? 2_000 : undefined),
    ).flat();
    const args = await retrainInputs(spans, "10m");
    const wallMs = Date.UTC(2031, 5, 6, 7, 8, 9);
    const { code, stdout } = await captureCli(() => runRetrain(args, { now: () => wallMs }));
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as Record<string, unknown>;
    const lastEndMs = START_MS + (normal + incident - 1) * 1_000 + 2_000;
    expect(summary).toMatchObject({
      trainedAt: new Date(wallMs).toISOString(),
      dataFrom: new Date(START_MS).toISOString(),
      dataTo: new Date(lastEndMs).toISOString(),
      spans: spans.length,
      records: normal + incident,
    });
    expect(String(summary["version"]).startsWith("20310606T070809")).toBe(true);
    const artifact = decodeArtifact(await readFile(String(summary["path"]), "utf8"), "test");
    expect(artifact.trainedAtMs).toBe(wallMs);
    expect(artifact.data).toEqual({ fromMs: START_MS, toMs: lastEndMs });
    // A fifth of the 10-minute window is the incident: learned as normal, it would be the p99.
    expect(artifact.window.endMs).toBeGreaterThan(lastEndMs - 10_000);
    expect(artifact.baselines.global.p99).toBeLessThan(100);
  });
});
