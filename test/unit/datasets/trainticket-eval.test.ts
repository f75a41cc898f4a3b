import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateTrainTicket } from "../../../src/eval/trainticket.js";
import { SPAN_CSV_HEADER as HEADER } from "./span-csv.js";

const T0 = Date.parse("2023-01-30T11:39:00Z");
const INJECT = T0 + 10 * 60_000;
const PODS = {
  gw: "ts-gateway-service-6f6cfc45b-d9pnv",
  a: "ts-alpha-service-5dc8d4f9fd-llznp",
  b: "ts-beta-service-866bd68c97-dzqgd",
};

/** A gateway trace calling service a or b; `slow` multiplies b's latency as a network delay would. */
function traceRows(i: number, startMs: number, useB: boolean, slow: number): string[] {
  const id = (i + 1).toString(16).padStart(32, "0");
  const span = (k: number) => (i * 4 + k).toString(16).padStart(16, "0");
  const ns = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
  const jitter = 1 + ((i * 7919) % 100) / 200;
  const inner = (useB ? 40 : 15) * jitter * (useB ? slow : 1);
  const pod = useB ? PODS.b : PODS.a;
  const op = useB ? "/api/v1/beta" : "/api/v1/alpha";
  const end = startMs + inner + 4;
  const row = (k: number, parent: string, p: string, name: string, s: number, e: number) =>
    [id, span(k), parent, p, name, ns(s), ns(e), String(Math.round((e - s) * 1000))].join(",");
  return [
    row(0, "root", PODS.gw, "/*", startMs, end),
    row(1, span(0), PODS.gw, "HTTP GET", startMs + 1, end - 1),
    row(2, span(1), pod, op, startMs + 2, startMs + 2 + inner),
    row(3, span(2), pod, "SELECT t", startMs + 3, startMs + 3 + inner / 3),
  ];
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tw-tt-eval-"));
  await Promise.all(["normal", "trace", "labels"].map((d) => mkdir(join(dir, d))));
  const faults = [
    {
      inject_time_utc: new Date(INJECT).toISOString(),
      inject_pod: PODS.b,
      service: "ts-beta-service",
      inject_type: "network_delay",
      duration_s: 180,
    },
  ];
  await writeFile(join(dir, "labels", "faults.json"), JSON.stringify(faults));
  const normal = [HEADER];
  for (let i = 0; i < 300; i++) normal.push(...traceRows(i, T0 + i * 200, i % 2 === 0, 1));
  await writeFile(join(dir, "normal", "2023-01-30_11_39_trace.csv"), normal.join("\n"));
  for (let m = 0; m < 3; m++) {
    const rows = [HEADER];
    for (let k = 0; k < 300; k++) {
      const i = 1000 * (m + 1) + k;
      const start = INJECT - 30_000 + m * 60_000 + k * 200;
      const faulty = start >= INJECT && start < INJECT + 180_000;
      rows.push(...traceRows(i, start, k % 2 === 0, faulty ? 6 : 1));
    }
    const minute = new Date(INJECT - 30_000 + m * 60_000).toISOString().slice(11, 16).replace(":", "_");
    await writeFile(join(dir, "trace", `${minute}_trace.csv`), rows.join("\n"));
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("TrainTicket evaluation", () => {
  it("replays the split in time order and separates traces slowed by the faulty pod", () => {
    const r = evaluateTrainTicket({ dir }) as {
      traces: number;
      warm_up_traces: number;
      labels: { anomalous: number; normal: number; window_other: number };
      roc_auc: number;
      anomaly_score_ge_threshold: { f1: number; recall: number };
      static_rule: { baseline_traces: number };
      window_other_flag_rate: { anomaly_score_ge_threshold: number };
    };
    expect(r.traces).toBe(1200);
    expect(r.static_rule.baseline_traces).toBe(300);
    // The first model comes one retrain interval (60 s) after the first trace.
    expect(r.warm_up_traces).toBe(300);
    expect(r.labels.anomalous).toBeGreaterThan(300);
    expect(r.labels.window_other).toBeGreaterThan(300);
    expect(r.roc_auc).toBeGreaterThan(0.95);
    expect(r.anomaly_score_ge_threshold.recall).toBeGreaterThan(0.9);
    expect(r.window_other_flag_rate.anomaly_score_ge_threshold).toBeLessThan(0.2);
  });
});
