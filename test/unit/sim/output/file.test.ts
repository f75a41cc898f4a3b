import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeSpans } from "../../../../src/decode/index.js";
import type { Span } from "../../../../src/domain/span.js";
import { FileTraceSink, type FileFormat } from "../../../../src/sim/output/file.js";
import { LabelsFile } from "../../../../src/sim/output/labels-file.js";
import { parseLabels } from "../../../../src/sim/labels.js";
import { Simulator } from "../../../../src/sim/simulator.js";

const traces = [...new Simulator({ seed: 8, startTimeMs: 1_700_000_000_000 }).take(300)];
const expected: Span[] = traces.flatMap((t) => t.spans);
const key = (s: Span): string => s.spanId;

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tw-sim-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("FileTraceSink", () => {
  it.each<[FileFormat, string]>([
    ["native", "json"],
    ["otlp_json", "otlp_json"],
  ])("round-trips every span through the %s format and the span decoder", async (format, encoding) => {
    const path = join(dir, `spans-${format}.ndjson`);
    const sink = new FileTraceSink({ path, format });
    for (let i = 0; i < traces.length; i += 64)
      expect(await sink.write(traces.slice(i, i + 64))).toEqual({ ok: true });
    await sink.close();
    await sink.close();
    const text = await readFile(path, "utf8");
    // Native NDJSON decodes as one message; OTLP JSON is one request per line.
    const messages = format === "native" ? [text] : text.split("\n").filter((l) => l !== "");
    const decoded: Span[] = [];
    for (const message of messages) {
      const result = decodeSpans(Buffer.from(message), { attributes: { mode: "all", keys: [] } });
      expect(result.rejected).toEqual([]);
      expect(result.encoding).toBe(encoding);
      decoded.push(...result.spans);
    }
    const sorted = (spans: Span[]): Span[] =>
      [...spans].sort((a, b) => (key(a) < key(b) ? -1 : 1)).map((s) => ({ ...s }));
    expect(sorted(decoded)).toEqual(sorted(expected));
  });

  it("writes native spans one per line with times as decimal strings", async () => {
    const path = join(dir, "one.ndjson");
    const sink = new FileTraceSink({ path });
    await sink.write(traces.slice(0, 1));
    await sink.close();
    const first = JSON.parse((await readFile(path, "utf8")).split("\n")[0]!) as Record<string, unknown>;
    expect(typeof first.startTimeUnixNano).toBe("string");
    expect(BigInt(first.startTimeUnixNano as string)).toBe(traces[0]!.spans[0]!.startTimeUnixNano);
  });

  it("reports a path that cannot be written as a failed write", async () => {
    const sink = new FileTraceSink({ path: join(dir, "missing-dir", "x.ndjson") });
    await new Promise((r) => setTimeout(r, 50));
    const result = await sink.write(traces.slice(0, 1));
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining("ENOENT") });
    await sink.close();
  });
});

describe("LabelsFile", () => {
  it("writes labels that parse back to the simulator's labels", async () => {
    const path = join(dir, "labels.ndjson");
    const file = new LabelsFile(path);
    expect(await file.write(traces.map((t) => t.label))).toBeNull();
    await file.close();
    expect(parseLabels(await readFile(path, "utf8"))).toEqual(traces.map((t) => t.label));
  });
});
