/**
 * Per-trace features. Names of the seed's model features are the seed's snake_case names; they are
 * the keys alerts, the features topic and the condition language use.
 */
export const SEED_FEATURES = [
  "total_duration",
  "span_count",
  "error_count",
  "service_hop_count",
  "max_span_duration",
] as const;
export type SeedFeature = (typeof SEED_FEATURES)[number];

export interface TraceFeatures {
  readonly traceId: string;
  /** Earliest span start, Unix ms (event time of the trace). */
  readonly startTimeMs: number;
  /** Latest end minus earliest start, ms. */
  readonly total_duration: number;
  readonly span_count: number;
  /** Spans with status ERROR. */
  readonly error_count: number;
  /** Parent→child edges whose services differ. */
  readonly service_hop_count: number;
  /** Longest single span, ms. */
  readonly max_span_duration: number;
  /** Number of distinct services with an error span. */
  readonly affected_services: number;
  /** The distinct services with an error span, sorted. */
  readonly erroring_services: readonly string[];
  /** Distinct caller→callee service edges, as "caller->callee", sorted. */
  readonly edges: readonly string[];
  readonly root_service: string;
  readonly root_operation: string;
  /** Key of the per-request-type baseline this trace belongs to. */
  readonly group_key: string;
}

/** A trace after scoring: what the rules see. */
export interface ScoredTrace {
  readonly features: TraceFeatures;
  /** Calibrated score in [0, 1]; null while warming up (no model yet). */
  readonly anomaly_score: number | null;
  /** p99 of total_duration for the trace's group (or the fallback); null while warming up. */
  readonly p99_baseline: number | null;
  /** Edges of this trace absent from the model's known set (empty while warming up). */
  readonly new_edges: readonly string[];
  readonly new_service_combination: boolean;
  /** Version of the model that scored it; null while warming up. */
  readonly model_version: string | null;
}
