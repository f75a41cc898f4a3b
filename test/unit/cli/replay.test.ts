import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { warmModel } from "../../../src/bench/pipeline-data.js";
import { loadCliConfig } from "../../../src/cli/load-config.js";
import { replayCommand } from "../../../src/cli/replay.js";
import { encodeArtifact } from "../../../src/model/codec.js";
import { captureCli } from "../../helpers/cli-output.js";

const SPAN = {
  traceId: "0af7651916cd43dd8448eb211c80319c",
  spanId: "b7ad6b7169203331",
  parentSpanId: null,
  service: "frontend",
  name: "GET /",
  kind: "SERVER",
  startTimeUnixNano: "1767225600000000000",
  endTimeUnixNano: "1767225600250000000",
  status: "UNSET",
  attributes: {},
};

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tw-replay-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Runs `tracewatch replay -q ARGS` and returns its exit code and output. */
const replayCli = (args: string[]) => captureCli(() => replayCommand.run(["-q", ...args]));

describe("tracewatch replay", () => {
  it("scores from the first trace with the model given by --model, as serve does with its stored one", async () => {
    const artifact = warmModel(loadCliConfig(undefined, {}), 3_000).artifact;
    const model = await file("model.json", encodeArtifact(artifact));
    const scores = join(dir, "scores.ndjson");
    const spans = await file("one.ndjson", JSON.stringify(SPAN) + "\n");
    const { code } = await replayCli(["--model", model, "--scores", scores, spans]);
    expect(code).toBe(0);
    const lines = (await readFile(scores, "utf8")).trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { modelVersion: string | null }).modelVersion)).toEqual([
      artifact.version,
    ]);
  });

  it("names the file when --model cannot be read as a model", async () => {
    const bad = await file("not-a-model.json", "{}");
    const { code, stderr } = await replayCli(["--model", bad, bad]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/TW_MODEL_INVALID.*not-a-model\.json/);
  });

  it("exits 1 when every input was rejected", async () => {
    const { code, stderr } = await replayCli([await file("broken.ndjson", "not json\nneither\n")]);
    expect(code).toBe(1);
    expect(stderr).toContain("no span could be read from the file");
  });

  it("reads a text .ndjson file as JSON, never as OTLP protobuf", async () => {
    const { stderr } = await replayCli([await file("text.ndjson", "hello world\n")]);
    expect(stderr).toMatch(/rejected: .*text\.ndjson: TW_DECODE_FAILED: .*invalid JSON/);
    expect(stderr).not.toContain("protobuf");
  });

  it("names a bad NDJSON line by its 1-based number", async () => {
    const good = JSON.stringify(SPAN);
    const bad = JSON.stringify({ ...SPAN, spanId: "1111111111111111", service: undefined });
    const path = await file("mixed.ndjson", [good, "{broken", bad].join("\n") + "\n");
    const { code, stderr } = await replayCli([path]);
    expect(code).toBe(0);
    expect(stderr).toContain("mixed.ndjson: TW_DECODE_FAILED: line 2: invalid JSON");
    expect(stderr).toContain("mixed.ndjson: TW_SPAN_INVALID: line 3: service is missing");
  });

  it("names a bad line of an OTLP JSON lines file by its 1-based number", async () => {
    const request = JSON.stringify({ resourceSpans: [] });
    const path = await file("otlp.jsonl", `${request}\n{"resourceSpans": [ broken\n`);
    const { stderr } = await replayCli([path]);
    expect(stderr).toContain("otlp.jsonl: TW_NO_SPANS: line 1: message contains no spans");
    expect(stderr).toContain("otlp.jsonl: TW_DECODE_FAILED: line 2: invalid JSON");
  });
});
