import type { ScoredTrace, TraceFeatures } from "../../../../src/domain/features.js";

/** A warm (model loaded) scored trace with quiet defaults; override what a test needs. */
export function scoredTrace(
  features: Partial<TraceFeatures> = {},
  scored: Partial<Omit<ScoredTrace, "features">> = {},
): ScoredTrace {
  return {
    features: {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      startTimeMs: 1_700_000_000_000,
      total_duration: 120,
      span_count: 8,
      error_count: 0,
      service_hop_count: 4,
      max_span_duration: 100,
      affected_services: 0,
      erroring_services: [],
      edges: ["frontend->cart", "frontend->checkout"],
      root_service: "frontend",
      root_operation: "GET /cart",
      group_key: "frontend|GET /cart",
      ...features,
    },
    anomaly_score: 0.5,
    p99_baseline: 200,
    new_edges: [],
    new_service_combination: false,
    model_version: "m-1",
    ...scored,
  };
}

/** The same trace before any model exists. */
export function warmingUp(features: Partial<TraceFeatures> = {}): ScoredTrace {
  return scoredTrace(features, {
    anomaly_score: null,
    p99_baseline: null,
    new_edges: [],
    new_service_combination: false,
    model_version: null,
  });
}
