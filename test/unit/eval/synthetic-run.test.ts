import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import type { TraceVerdict } from "../../../src/pipeline/trace-pipeline.js";
import { driveSynthetic } from "../../../src/eval/synthetic-run.js";
import { Simulator } from "../../../src/sim/simulator.js";

const CONFIG = `
apiVersion: aiops/v1
kind: TraceAnomalyDetector
metadata: { name: test }
spec:
  model: { type: isolation_forest, features: [total_duration, span_count, error_count, service_hop_count, max_span_duration] }
  training: { window: 1h, sample_rate: 1.0, retrain_interval: 10s, min_samples: 100 }
  detection: { threshold: 0.95, min_severity: 0.7 }
  alerts:
    - { type: cascade_failure, condition: "error_count > 5 AND affected_services > 3", severity: critical }
`;

describe("driveSynthetic", () => {
  it("decides every simulated trace once, completed by its root, and scores after the warm-up model", async () => {
    const start = Date.UTC(2026, 0, 1);
    const sim = new Simulator({ seed: 3, ratePerSec: 20, startTimeMs: start, anomalies: [] });
    const ids: string[] = [];
    const verdicts = new Map<string, { verdict: TraceVerdict; warmUp: boolean }>();
    const summary = await driveSynthetic({
      config: loadConfig({ text: CONFIG }, {}),
      traces: (function* () {
        for (const t of sim.until(30_000)) {
          ids.push(t.traceId);
          yield t;
        }
      })(),
      startTimeMs: start,
      trainAtMs: start + 15_000,
      onVerdict(trace, verdict, warmUp) {
        expect(verdicts.has(trace.traceId)).toBe(false);
        verdicts.set(trace.traceId, { verdict, warmUp });
      },
    });
    expect(summary.traces).toBe(ids.length);
    expect([...verdicts.keys()].sort()).toEqual([...ids].sort());
    // By its root, except the traces of the input's last root_grace, which the end of the input
    // completes (flush); none waits for decision_wait.
    const { root = 0, flush = 0, ...others } = summary.completedBy;
    const graceS = loadConfig({ text: CONFIG }, {}).spec.assembly.root_grace / 1000;
    expect(others).toEqual({});
    expect(root + flush).toBe(ids.length);
    expect(flush).toBeLessThanOrEqual(20 * (graceS + 1));
    expect(summary.modelsInstalled).toBeGreaterThanOrEqual(2);
    const judged = [...verdicts.values()].filter((v) => !v.warmUp);
    expect(judged.length).toBeGreaterThan(0);
    expect(judged.every((v) => v.verdict.scored.anomaly_score !== null)).toBe(true);
    expect(
      [...verdicts.values()].filter((v) => v.warmUp).every((v) => v.verdict.scored.anomaly_score === null),
    ).toBe(true);
  });
});
