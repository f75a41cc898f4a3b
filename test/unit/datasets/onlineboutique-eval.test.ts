import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { recordedReport } from "../../../src/eval/index.js";
import { onlineBoutiqueReport } from "../../../src/eval/report-onlineboutique.js";
import { SPAN_CSV_HEADER as HEADER } from "./span-csv.js";

const NORMAL_AT = Date.parse("2022-08-23T17:00:00Z");
const CPU_AT = Date.parse("2022-08-23T12:05:00Z");
const RETURN_AT = Date.parse("2022-08-23T12:15:00Z");
const PODS = {
  frontend: "frontend-579b9bff58-t2dbm",
  cart: "cartservice-579f59597d-wc2lz",
  ad: "adservice-5f6585d649-fnmft",
};
const CONFIG = `
apiVersion: aiops/v1
kind: TraceAnomalyDetector
metadata: { name: ob-test }
spec:
  training: { window: 1h, sample_rate: 1.0, retrain_interval: 1m, min_samples: 100 }
`;

/** A frontend trace calling the cart (even i) or the ad service; `factor` scales the callee's time. */
function traceRows(i: number, startMs: number, factor: number): string[] {
  const id = (i + 1).toString(16).padStart(32, "0");
  const span = (k: number) => (i * 2 + k + 1).toString(16).padStart(16, "0");
  const ns = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
  const cart = i % 2 === 0;
  const inner = (cart ? 30 : 12) * (1 + ((i * 7919) % 100) / 200) * factor;
  const end = startMs + inner + 4;
  const row = (k: number, parent: string, pod: string, name: string, s: number, e: number) =>
    [id, span(k), parent, pod, name, ns(s), ns(e), String(Math.round((e - s) * 1000))].join(",");
  return [
    row(0, "root", PODS.frontend, "hipstershop.Frontend/Recv.", startMs, end),
    row(
      1,
      span(0),
      cart ? PODS.cart : PODS.ad,
      cart ? "GetCart" : "GetAds",
      startMs + 2,
      startMs + 2 + inner,
    ),
  ];
}

const minuteName = (ms: number): string =>
  `2022-08-23_${new Date(ms).toISOString().slice(11, 16).replace(":", "_")}_trace.csv.gz`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tw-ob-eval-"));
  await Promise.all(["normal", "trace", "labels"].map((d) => mkdir(join(dir, d))));
  const faults = [
    { inject_time_utc: new Date(CPU_AT).toISOString(), inject_pod: PODS.cart, service: "cartservice" },
    { inject_time_utc: new Date(RETURN_AT).toISOString(), inject_pod: PODS.ad, service: "adservice" },
  ].map((f, k) => ({ ...f, inject_type: k === 0 ? "cpu_contention" : "return", duration_s: 180 }));
  await writeFile(join(dir, "labels", "faults.json"), JSON.stringify(faults));
  // The fault-free minute, recorded after the faults (as in the real split).
  const normal: string[] = [];
  for (let i = 0; i < 300; i++) normal.push(...traceRows(i, NORMAL_AT + i * 200, 1));
  await writeFile(join(dir, "normal", minuteName(NORMAL_AT)), gzipSync([HEADER, ...normal].join("\n")));
  // The minute before each injection, and three in each fault window.
  let i = 1000;
  for (const [at, slow, fast] of [
    [CPU_AT, 8, 1],
    [RETURN_AT, 1, 0.2],
  ] as const) {
    for (let m = -1; m < 3; m++) {
      const rows: string[] = [];
      for (let k = 0; k < 300; k++, i++) {
        const start = at + m * 60_000 + k * 200;
        const inWindow = start >= at && start < at + 180_000;
        // The cart slows (cpu) in the first window; the ad service returns early in the second.
        const factor = !inWindow ? 1 : i % 2 === 0 ? slow : fast;
        rows.push(...traceRows(i, start, factor));
      }
      await writeFile(
        join(dir, "trace", minuteName(at + m * 60_000)),
        gzipSync([HEADER, ...rows].join("\n")),
      );
    }
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("OnlineBoutique evaluation", () => {
  it("replays the fault-free minute first, through the pipeline, and judges incidents per fault kind", async () => {
    const r = await onlineBoutiqueReport(dir, loadConfig({ text: CONFIG }, {}));
    expect(r.traces).toBe(300 + 8 * 300);
    expect(r.normal_traces).toBe(300);
    // 17:00 moves to 12:03, the minute before the first ambiguous minute (12:04).
    expect(r.normal_shift_ms).toBe(Date.parse("2022-08-23T12:03:00Z") - NORMAL_AT);
    // The fault-free minute is the warm-up: the first model trains one minute after it starts.
    expect(r.pipeline.models_installed).toBeGreaterThan(0);
    expect(r.pipeline.warm_up_traces).toBeGreaterThanOrEqual(250);
    expect(r.pipeline.warm_up_traces).toBeLessThanOrEqual(300);
    // Each window: 450 traces touch the faulty pod, 450 do not; the minute before: 150 touch it.
    expect(r.labels_loaded).toEqual({ anomalous: 900, normal: 600, window_other: 900, ambiguous: 300 });
    expect(r.labels).toEqual({ ...r.labels_loaded, normal: 600 - r.pipeline.warm_up_traces });
    const cpu = r.pipeline.by_kind["cpu_contention"];
    expect(cpu).toMatchObject({
      incidents: 1,
      incidents_with_data: 1,
      incidents_alerted: 1,
      affected_traces: 450,
    });
    expect(cpu?.affected_alerted_share).toBeGreaterThan(0.5);
    expect(r.pipeline.by_group["latency"]?.incidents_alerted).toBe(1);
    expect(r.pipeline.by_group["code_level"]).toMatchObject({ incidents: 1, incidents_with_data: 1 });
    expect(r.pipeline.faults.map((f) => f.ambiguous_traces)).toEqual([150, 150]);
    expect(r.pipeline.false_alerts_per_1k_normal).toBeLessThan(20);
  });

  it("reports a missing split as skipped, naming the directory and the variable", async () => {
    const missing = join(dir, "absent");
    const r = await recordedReport(
      "OnlineBoutique split",
      missing,
      "TRACEWATCH_ONLINEBOUTIQUE_DIR",
      () => {},
      () => {
        throw new Error("must not run");
      },
    );
    expect(r).toEqual({
      skipped: `dataset directory ${missing} not found (set TRACEWATCH_ONLINEBOUTIQUE_DIR)`,
    });
  });

  it("reports an incomplete split (no labels) as skipped", async () => {
    const partial = join(dir, "partial");
    await mkdir(join(partial, "normal"), { recursive: true });
    await mkdir(join(partial, "trace"), { recursive: true });
    const r = await recordedReport(
      "OnlineBoutique split",
      partial,
      "X",
      () => {},
      (d) => onlineBoutiqueReport(d, loadConfig({ text: CONFIG }, {})),
    );
    expect(r).toMatchObject({ skipped: expect.stringContaining("faults.json") });
  });
});
