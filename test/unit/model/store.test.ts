import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadModel } from "../../../src/core/model/model.js";
import { decodeArtifact, encodeArtifact } from "../../../src/model/codec.js";
import { ModelStore } from "../../../src/model/store.js";
import { isTracewatchError } from "../../../src/errors.js";
import { probes, trainedArtifact } from "./fixture.js";

const run = promisify(execFile);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tw-models-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("model codec", () => {
  it("round-trips an artifact exactly, typed arrays included", () => {
    const a = trainedArtifact();
    const b = decodeArtifact(encodeArtifact(a), "memory");
    expect(b).toEqual(a);
    expect(b.forest.value).toBeInstanceOf(Float64Array);
  });

  it.each([
    { name: "not JSON", text: "{" },
    { name: "another format", text: JSON.stringify({ format: "other", formatVersion: 1 }) },
    {
      name: "a future version",
      text: JSON.stringify({ format: "tracewatch.isolation_forest", formatVersion: 99 }),
    },
  ])("rejects $name with TW_MODEL_INVALID", ({ text }) => {
    let err: unknown;
    try {
      decodeArtifact(text, "x");
    } catch (e) {
      err = e;
    }
    expect(isTracewatchError(err, "TW_MODEL_INVALID")).toBe(true);
  });
});

describe("model store", () => {
  it("loads the newest of several versions and prunes beyond keep", async () => {
    const store = new ModelStore({ dir, keep: 2 });
    for (const t of [1_700_000_000_000, 1_700_000_100_000, 1_700_000_200_000])
      await store.save(trainedArtifact(t, t % 7));
    const versions = await store.versions("latency-anomalies");
    expect(versions).toHaveLength(2);
    expect((await store.loadNewest("latency-anomalies"))?.trainedAtMs).toBe(1_700_000_200_000);
    expect(await readdir(join(dir, "latency-anomalies"))).toHaveLength(2);
  });

  it("skips a corrupt newest file and reports it", async () => {
    const store = new ModelStore({ dir });
    await store.save(trainedArtifact());
    await writeFile(join(dir, "latency-anomalies", "99999999T999999999Z-ffffffff.json"), "garbage");
    const bad: string[] = [];
    const a = await store.loadNewest("latency-anomalies", (v) => bad.push(v));
    expect(a?.trainedAtMs).toBe(1_700_000_000_000);
    expect(bad).toEqual(["99999999T999999999Z-ffffffff"]);
  });

  it("returns null when nothing is stored", async () => {
    expect(await new ModelStore({ dir }).loadNewest("none")).toBeNull();
  });

  it("gives identical scores in another process than the one that wrote the model", async () => {
    const child = fileURLToPath(new URL("./score-child.ts", import.meta.url));
    const loader = fileURLToPath(new URL("./helpers/ts-register.mjs", import.meta.url));
    const { stdout } = await run(process.execPath, ["--import", loader, child, dir], { timeout: 60_000 });
    const theirs = JSON.parse(stdout) as { version: string; scores: number[] };
    const a = await new ModelStore({ dir }).loadNewest("latency-anomalies");
    if (a === null) throw new Error("child saved nothing");
    expect(a.version).toBe(theirs.version);
    const m = loadModel(a);
    expect(probes().map((f) => m.score(f).anomalyScore)).toEqual(theirs.scores);
  }, 60_000);
});

describe("model store writability", () => {
  it("probes by writing and removing a file, and reports each save's and probe's outcome", async () => {
    const outcomes: unknown[] = [];
    const missing = join(dir, "volume");
    // The store's directory is a link to a volume that is not mounted: nothing can be written.
    await symlink(missing, join(dir, "models"));
    const store = new ModelStore({ dir: join(dir, "models"), onWriteOutcome: (err) => outcomes.push(err) });
    await expect(store.probe("shop")).rejects.toMatchObject({ code: "ENOTDIR" });
    await expect(store.save(trainedArtifact())).rejects.toMatchObject({ code: "ENOTDIR" });
    await mkdir(missing);
    await store.probe("shop");
    expect(await readdir(join(missing, "shop"))).toEqual([]);
    await store.save(trainedArtifact());
    expect(outcomes.map((o) => (o === null ? "ok" : (o as NodeJS.ErrnoException).code))).toEqual([
      "ENOTDIR",
      "ENOTDIR",
      "ok",
      "ok",
    ]);
  });
});
