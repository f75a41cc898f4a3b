import { Alerter } from "../core/alerts/alerter.js";
import { ManualClock } from "../core/clock.js";
import type { ScoredTrace } from "../domain/features.js";
import { compileRules, SEED_ALERT_RULES } from "../core/rules/rules.js";
import { InMemoryAlertSink } from "../sinks/in-memory.js";
import { AlertDispatcher } from "../sinks/dispatcher.js";
import { cpuSeconds, median } from "./ingest-common.js";

/** Result of {@link benchAlerter}. */
export interface AlerterBenchResult {
  /** Median traces per CPU second through rules + dedup + alert building + dispatch to an in-memory sink. */
  readonly alerter_traces_per_sec: number;
  /** Share of traces that raised an alert. */
  readonly alert_rate: number;
  readonly runs: number;
}

function trace(i: number): ScoredTrace {
  const spike = i % 100 === 0;
  const cascade = i % 250 === 0;
  return {
    features: {
      traceId: i.toString(16).padStart(32, "0"),
      startTimeMs: 1_700_000_000_000 + i,
      total_duration: spike ? 5_000 : 80 + (i % 50),
      span_count: 12,
      error_count: cascade ? 8 : 0,
      service_hop_count: 6,
      max_span_duration: 60,
      affected_services: cascade ? 4 : 0,
      erroring_services: cascade ? [`svc-${i % 7}`] : [],
      edges: ["a->b", "b->c"],
      root_service: "gateway",
      root_operation: "GET /",
      group_key: "gateway|GET /",
    },
    anomaly_score: spike ? 0.99 : 0.4,
    p99_baseline: 400,
    new_edges: i % 500 === 0 ? [`b->new-${i % 3}`] : [],
    new_service_combination: i % 500 === 0,
    model_version: "bench",
  };
}

/**
 * Measures the alerting path per scored trace (no spans, so no critical-path analysis): the three
 * seed rules, min_severity, cooldown windows, alert building and dispatch. Median of `runs`.
 */
export function benchAlerter(options: { runs?: number; traces?: number } = {}): AlerterBenchResult {
  const runs = options.runs ?? 5;
  const count = options.traces ?? 200_000;
  const traces = Array.from({ length: count }, (_, i) => trace(i));
  const rates: number[] = [];
  let alerts = 0;
  for (let run = 0; run < runs; run += 1) {
    const clock = new ManualClock(1_700_000_000_000);
    const alerter = new Alerter({ detector: "bench", rules: compileRules(SEED_ALERT_RULES, 0.95), clock });
    const sink = new InMemoryAlertSink();
    const dispatcher = new AlertDispatcher([sink]);
    const seconds = cpuSeconds(() => {
      for (const t of traces) {
        for (const d of alerter.process(t)) if (d.kind === "emit") dispatcher.dispatch(d.alert);
      }
    });
    rates.push(count / seconds);
    alerts = sink.alerts.length;
  }
  return {
    alerter_traces_per_sec: Math.round(median(rates)),
    alert_rate: alerts / count,
    runs,
  };
}
