import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  retrainFromFeatures,
  type RetrainProgress,
  type ScoredFeatures,
} from "../../../src/model/retrain-job.js";
import { ModelStore } from "../../../src/model/store.js";
import type { ModelArtifact } from "../../../src/core/model/artifact.js";
import { traffic } from "../core/model/helpers.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tw-retrain-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Wall-clock time of the runs: far from the records' event time. */
const WALL_MS = Date.UTC(2030, 0, 2, 3, 4, 5);

describe("retrain job", () => {
  it("trains on event time, saves, publishes and reports progress", async () => {
    const store = new ModelStore({ dir });
    const published: ModelArtifact[] = [];
    const phases: RetrainProgress[] = [];
    const day = 86_400_000;
    // Eight days of traffic: the first day falls out of a 7-day window.
    const records = [...traffic(1000, 0, day, 1), ...traffic(3000, day, 7 * day, 2)];
    const r = await retrainFromFeatures(records, {
      detector: "latency-anomalies",
      window: { sampleRate: 1 },
      train: { minSamples: 100 },
      store,
      publish: async (a) => void published.push(a),
      onProgress: (p) => phases.push(p),
      progressEvery: 1000,
      trainedAtMs: WALL_MS,
    });
    if (!r.result.ok) throw new Error(r.result.detail);
    expect(r.records).toBe(4000);
    // Expiry is by whole 1-hour buckets: at most one bucket older than 7 days remains.
    expect(r.result.artifact.window.startMs).toBeGreaterThanOrEqual(day - 3_600_000);
    expect(r.result.artifact.sampleCount).toBeLessThanOrEqual(3000 + 1000 / 7 + 1);
    expect(r.path).toContain(r.result.artifact.version);
    // Stamped with the wall clock it was given; the records' event time range is kept apart.
    expect(r.result.artifact.trainedAtMs).toBe(WALL_MS);
    expect(
      r.result.artifact.version.startsWith(new Date(WALL_MS).toISOString().slice(0, 10).replace(/-/g, "")),
    ).toBe(true);
    expect(r.result.artifact.data?.fromMs).toBe(Math.min(...records.map((f) => f.startTimeMs)));
    expect(r.result.artifact.data?.toMs).toBe(
      Math.max(...records.map((f) => f.startTimeMs + f.total_duration)),
    );
    expect((await store.loadNewest("latency-anomalies"))?.version).toBe(r.result.artifact.version);
    expect(published.map((a) => a.version)).toEqual([r.result.artifact.version]);
    expect(phases.map((p) => p.phase)).toEqual([
      "reading",
      "reading",
      "reading",
      "reading",
      "training",
      "saving",
      "done",
    ]);
  });

  it("saves nothing when the model is refused", async () => {
    const store = new ModelStore({ dir });
    const r = await retrainFromFeatures(traffic(10, 0, 1000), {
      detector: "d",
      store,
      train: { minSamples: 100 },
      trainedAtMs: WALL_MS,
    });
    expect(r.result.ok).toBe(false);
    expect(r.path).toBeNull();
    expect(await store.versions("d")).toEqual([]);
  });

  it("holds back an incident the records' scores flag, as serve does; records without scores are learned", async () => {
    const minute = 60_000;
    // 30 minutes of two request types (5% of them in the normal tail of the scores), then two
    // minutes in which the fast type takes 5 s and every such trace is flagged.
    const normal = traffic(3_600, 0, 30 * minute, 3).map((f, i) => ({
      ...f,
      anomaly_score: i % 20 === 0 ? 0.97 : 0.3,
    }));
    const incident = traffic(240, 30 * minute, 2 * minute, 4).map((f) =>
      f.group_key === "gw /* > fast /f"
        ? { ...f, total_duration: 5_000, max_span_duration: 4_900, anomaly_score: 0.99 }
        : { ...f, anomaly_score: 0.3 },
    );
    const run = (records: readonly ScoredFeatures[]) =>
      retrainFromFeatures(records, {
        detector: "d",
        window: { windowMs: 10 * minute, sampleRate: 1 },
        train: { minSamples: 100 },
        learnBelow: 0.95,
        trainedAtMs: WALL_MS,
      });
    const scored = await run([...normal, ...incident]);
    const unscored = await run([...normal, ...incident].map(({ anomaly_score: _, ...f }) => f));
    if (!scored.result.ok || !unscored.result.ok) throw new Error("model refused");
    const fastP99 = (a: ModelArtifact) => a.baselines.groups.find(([g]) => g === "gw /* > fast /f")?.[1].p99;
    expect(fastP99(scored.result.artifact)).toBeLessThan(100);
    expect(fastP99(unscored.result.artifact)).toBe(5_000);
  });
});
