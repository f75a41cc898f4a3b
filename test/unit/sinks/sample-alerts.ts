import { Alerter } from "../../../src/core/alerts/alerter.js";
import type { Alert } from "../../../src/core/alerts/alert.js";
import { ManualClock } from "../../../src/core/clock.js";
import { compileRules, SEED_ALERT_RULES } from "../../../src/core/rules/rules.js";
import { scoredTrace } from "../core/rules/scored.js";

/** `count` distinct latency_spike alerts (trace ids 1..count), built by the real Alerter. */
export function sampleAlerts(count: number, startMs = 1_700_000_000_000): Alert[] {
  const alerter = new Alerter({
    detector: "latency-anomalies",
    rules: compileRules(SEED_ALERT_RULES, 0.95),
    clock: new ManualClock(startMs),
  });
  const alerts: Alert[] = [];
  for (let i = 1; i <= count; i += 1) {
    const trace = scoredTrace(
      { traceId: i.toString(16).padStart(32, "0"), total_duration: 1_000 + i },
      { anomaly_score: 0.99, p99_baseline: 100 },
    );
    for (const d of alerter.process(trace)) if (d.kind === "emit") alerts.push(d.alert);
  }
  return alerts;
}
