import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { measureDrift, type DriftPoint } from "../../../src/eval/drift.js";

const CONFIG = `
apiVersion: aiops/v1
kind: TraceAnomalyDetector
metadata: { name: drift }
spec:
  model: { type: isolation_forest, features: [total_duration, span_count, error_count, service_hop_count, max_span_duration] }
  training: { window: 1h, sample_rate: 1.0, retrain_interval: 5m, min_samples: 500 }
  detection: { threshold: 0.95, min_severity: 0.7 }
  alerts:
    - { type: latency_spike, condition: "anomaly_score > 0.9 AND total_duration > p99_baseline * 2", severity: high }
    - { type: unusual_path, condition: "new_service_combination = true", severity: medium }
    - { type: cascade_failure, condition: "error_count > 5 AND affected_services > 3", severity: critical }
`;

const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Share-weighted mean of a per-point rate over the normal traces each model scored. */
function pooled(points: readonly DriftPoint[], rate: (p: DriftPoint) => number): number {
  const n = points.reduce((a, p) => a + p.normal, 0);
  return points.reduce((a, p) => a + rate(p) * p.normal, 0) / n;
}

describe("model drift over many retrains", () => {
  it("keeps p99 baselines, the flagged share and false alerts steady on normal traffic (2 h, 23 retrains, window turned over 6 times)", async () => {
    const r = await measureDrift(loadConfig({ text: CONFIG }, {}), {
      seed: 1,
      ratePerSec: 10,
      durationMs: 2 * 3_600_000,
      windowMs: 20 * 60_000,
      retrainIntervalMs: 5 * 60_000,
    });
    expect(r.refused).toBe(0);
    // A model every 5 minutes from minute 5 (each run starts at the first tick after it is due).
    expect(r.points.length).toBe(23);
    expect(r.groups.length).toBe(3);
    // The models of the first 20 minutes against the last 30.
    const first = r.points.slice(0, 4);
    const last = r.points.slice(-6);
    for (const g of r.groups) {
      const ratio =
        median(last.map((p) => p.p99[g] as number)) / median(first.map((p) => p.p99[g] as number));
      expect(ratio, g).toBeGreaterThan(0.88);
      expect(ratio, g).toBeLessThan(1.12);
    }
    // By construction about 5% of normal traffic scores at or above 0.95, retrain after retrain.
    expect(pooled(last, (p) => p.normalFlaggedRate)).toBeGreaterThan(0.03);
    expect(pooled(last, (p) => p.normalFlaggedRate)).toBeLessThan(0.07);
    expect(pooled(last, (p) => p.falseAlertsPer10k)).toBeLessThan(10);
  }, 120_000);

  it("keeps the flagged share near 5% when models retrain every 30 s from a 30-second warm-up (about 80 retrains)", async () => {
    const r = await measureDrift(loadConfig({ text: CONFIG }, {}), {
      seed: 2,
      ratePerSec: 20,
      durationMs: 40 * 60_000,
      windowMs: 20 * 60_000,
      retrainIntervalMs: 30_000,
    });
    // The first run, at 30 s, finds fewer than min_samples completed traces (a trace completes
    // root_grace after its last span) and is refused; the schedule tries again 30 s later.
    expect(r.refused).toBe(1);
    expect(r.points[0]!.atMin).toBeGreaterThanOrEqual(1);
    expect(r.points[0]!.atMin).toBeLessThan(1.1);
    expect(r.points.length).toBeGreaterThanOrEqual(78);
    const last = r.points.slice(-21, -1);
    expect(pooled(last, (p) => p.normalFlaggedRate)).toBeGreaterThan(0.025);
    expect(pooled(last, (p) => p.normalFlaggedRate)).toBeLessThan(0.07);
    expect(pooled(last, (p) => p.falseAlertsPer10k)).toBeLessThan(10);
  }, 120_000);
});
