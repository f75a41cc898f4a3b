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

/**
 * Span-level model features: the trace's spans against their operations' baselines
 * ({@link SpanScores}), from the model that scored the trace; 0 when unknown (warm-up).
 */
export const SPAN_FEATURES = ["max_span_excess", "critical_path_excess_ms", "spans_over_p99"] as const;
export type SpanFeature = (typeof SPAN_FEATURES)[number];

/** Features the forest can be trained on: the seed's five and the span-level ones. */
export const MODEL_FEATURES = [...SEED_FEATURES, ...SPAN_FEATURES] as const;
export type ModelFeature = (typeof MODEL_FEATURES)[number];

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
  /**
   * Span-level model features ({@link SPAN_FEATURES}), set on the copy the training window
   * receives once a model scored the trace's spans; absent otherwise (read as 0).
   */
  readonly max_span_excess?: number;
  readonly critical_path_excess_ms?: number;
  readonly spans_over_p99?: number;
}

/** One span's time beyond its operation's baseline (alert evidence). */
export interface SpanExcess {
  readonly service: string;
  /** Operation key `service|KIND|name`. */
  readonly operation: string;
  readonly spanId: string;
  readonly durationMs: number;
  readonly selfTimeMs: number;
  /** The operation's p99 of duration and of self time, ms. */
  readonly p99Ms: number;
  readonly selfP99Ms: number;
  /** Self time beyond the self-time p99, ms. */
  readonly excessMs: number;
  /** For a caller's span around a call into another service: that service. */
  readonly callee?: string;
}

/** A trace's spans scored against their operations' baselines (src/core/model/op-baselines.ts). */
export interface SpanScores {
  /** Largest ratio of a span's duration or self time to its operation's p99. */
  readonly max_span_excess: number;
  /** Self time beyond the operations' self-time p99, summed over the critical path, ms. */
  readonly critical_path_excess_ms: number;
  /** Spans longer than their operation's p99. */
  readonly spans_over_p99: number;
  /**
   * Slow spans (self time over twice their operation's self-time p99) of degraded operations: a
   * significant share of their spans in the last minute were slow too (0 without live shares;
   * see SlowShare).
   */
  readonly degraded_spans: number;
  /**
   * Among the operations of the trace's slow spans, the largest lower bound of the recent share
   * of slow spans, as a multiple of the share the baseline predicts (0 without slow spans).
   */
  readonly degraded_share: number;
  /** Service with the most time beyond its baselines (see scoreSpans), or null. */
  readonly culprit: string | null;
  /** Time blamed on the culprit beyond its baselines, ms (0 without one). */
  readonly culprit_excess_ms: number;
  /** The spans with the most self time beyond their baseline, largest first. */
  readonly top_spans: readonly SpanExcess[];
}

/** An operation its request type calls in (almost) every trace, absent from this one. */
export interface MissingCall {
  /** Operation key `service|KIND|name`. */
  readonly operation: string;
  readonly service: string;
  /** Its usual parent operation in the type (`""` for the root). */
  readonly parent: string;
  /** Share of the type's learned traces holding it. */
  readonly presence: number;
}

/** An ERROR span of an operation whose baseline error rate is near zero. */
export interface UnexpectedError {
  readonly operation: string;
  readonly service: string;
  readonly spanId: string;
  /** The operation's error rate in training (error spans / spans). */
  readonly baselineRate: number;
  /** Depth of the span in the trace (root 0). */
  readonly depth: number;
}

/** A trace against its request type's usual calls and its operations' error rates (call-baselines.ts). */
export interface CallScores {
  /** Operations the type always calls that are absent from the trace. */
  readonly missing_calls: number;
  /** ERROR spans in operations whose baseline error rate is near zero. */
  readonly unexpected_errors: number;
  /** The first missing operations (evidence). */
  readonly missing: readonly MissingCall[];
  /** The first unexpected ERROR spans (evidence). */
  readonly errors: readonly UnexpectedError[];
  /** Service that usually calls the missing operations, present in the trace; null without. */
  readonly missing_culprit: string | null;
  /** Service of the deepest unexpected ERROR span; null without. */
  readonly error_culprit: string | null;
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
  /**
   * Its spans against their operations' baselines; absent (or null) while warming up, without
   * spans, or with a model that has no operation baselines.
   */
  readonly spans?: SpanScores | null;
  /**
   * Its calls and errors against its type's usual calls and its operations' error rates; absent
   * (or null) while warming up, without spans, or with a model trained without them.
   */
  readonly calls?: CallScores | null;
}
