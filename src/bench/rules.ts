import type { ScoredTrace } from "../domain/features.js";
import { compileRules, SEED_ALERT_RULES } from "../core/rules/rules.js";
import { cpuSeconds, median } from "./ingest-common.js";

/** Result of {@link benchConditions}. */
export interface ConditionBenchResult {
  /** Median over runs of condition evaluations per CPU second (one evaluation = one condition on one trace). */
  readonly condition_evals_per_sec: number;
  readonly runs: number;
  readonly evals_per_run: number;
}

export interface ConditionBenchOptions {
  /** Timed runs; the median is reported. Default 5. */
  readonly runs?: number;
  /** Traces evaluated per run (each against the three seed conditions). Default 400000. */
  readonly tracesPerRun?: number;
}

function sampleTraces(n: number): ScoredTrace[] {
  const traces: ScoredTrace[] = [];
  for (let i = 0; i < n; i += 1) {
    const errors = i % 17 === 0 ? 7 : i % 5;
    traces.push({
      features: {
        traceId: i.toString(16).padStart(32, "0"),
        startTimeMs: 1_700_000_000_000 + i,
        total_duration: 50 + ((i * 37) % 900),
        span_count: 5 + (i % 40),
        error_count: errors,
        service_hop_count: 3 + (i % 9),
        max_span_duration: 20 + ((i * 13) % 500),
        affected_services: errors > 5 ? 4 : errors % 3,
        erroring_services: [],
        edges: [],
        root_service: "frontend",
        root_operation: "GET /",
        group_key: "frontend|GET /",
      },
      anomaly_score: ((i * 7919) % 1000) / 1000,
      p99_baseline: 400,
      new_edges: [],
      new_service_combination: i % 101 === 0,
      model_version: i % 11 === 0 ? null : "bench",
    });
  }
  return traces;
}

/** Measures evaluation speed of the seed's three compiled conditions on varied traces. */
export function benchConditions(options: ConditionBenchOptions = {}): ConditionBenchResult {
  const runs = options.runs ?? 5;
  const tracesPerRun = options.tracesPerRun ?? 400_000;
  const conditions = compileRules(SEED_ALERT_RULES, 0.95).map((r) => r.condition);
  const traces = sampleTraces(4096);
  const rates: number[] = [];
  let fired = 0;
  for (let run = 0; run < runs; run += 1) {
    const seconds = cpuSeconds(() => {
      for (let i = 0; i < tracesPerRun; i += 1) {
        const trace = traces[i & 4095]!;
        for (const c of conditions) if (c.evaluate(trace) === true) fired += 1;
      }
    });
    rates.push((tracesPerRun * conditions.length) / seconds);
  }
  // Keeps the loop observable so it cannot be optimised away.
  if (fired < 0) throw new Error("unreachable");
  return {
    condition_evals_per_sec: Math.round(median(rates)),
    runs,
    evals_per_run: tracesPerRun * conditions.length,
  };
}
