import type { ScoredTrace } from "../../domain/features.js";

export type ValueType = "number" | "boolean" | "string";
/** A value during evaluation; `null` means unknown (model-derived value while warming up). */
export type Value = number | boolean | string | null;

/** Settings the vocabulary reads besides the trace. */
export interface VocabularyContext {
  /** `detection.threshold`: anomaly_score at or above it marks a trace anomalous. Default 0.95. */
  readonly threshold: number;
}

/** One identifier a condition may use. */
export interface Identifier {
  readonly type: ValueType;
  /** True when the value comes from the model and is null (unknown) while warming up. */
  readonly modelDerived: boolean;
  readonly description: string;
  readonly read: (trace: ScoredTrace, ctx: VocabularyContext) => Value;
}

const warm = (t: ScoredTrace): boolean => t.model_version !== null;

function ratio(t: ScoredTrace): number | null {
  const base = t.p99_baseline;
  if (base === null || base <= 0) return null;
  return t.features.total_duration / base;
}

/**
 * The fixed vocabulary of the condition language. Unknown identifiers are compile errors.
 * docs/alerts.md lists the same table; a test keeps the two in step.
 */
export const VOCABULARY: Readonly<Record<string, Identifier>> = Object.freeze({
  total_duration: num(
    false,
    "latest span end minus earliest span start, ms",
    (t) => t.features.total_duration,
  ),
  span_count: num(false, "number of spans in the trace", (t) => t.features.span_count),
  error_count: num(false, "spans with status ERROR", (t) => t.features.error_count),
  service_hop_count: num(
    false,
    "parent→child edges whose services differ",
    (t) => t.features.service_hop_count,
  ),
  max_span_duration: num(false, "longest single span, ms", (t) => t.features.max_span_duration),
  affected_services: num(false, "distinct services with an ERROR span", (t) => t.features.affected_services),
  edge_count: num(false, "distinct caller→callee service edges", (t) => t.features.edges.length),
  anomaly_score: num(true, "calibrated isolation-forest score in [0, 1]", (t) => t.anomaly_score),
  p99_baseline: num(
    true,
    "p99 of total_duration for the trace's request type (robust, hierarchical), ms",
    (t) => t.p99_baseline,
  ),
  duration_ratio: num(true, "total_duration / p99_baseline", ratio),
  max_span_excess: num(
    true,
    "largest ratio of a span's duration or self time to its operation's p99",
    (t) => t.spans?.max_span_excess ?? null,
  ),
  critical_path_excess_ms: num(
    true,
    "self time beyond the operations' self-time p99 on the critical path, ms",
    (t) => t.spans?.critical_path_excess_ms ?? null,
  ),
  spans_over_p99: num(
    true,
    "spans longer than their operation's p99",
    (t) => t.spans?.spans_over_p99 ?? null,
  ),
  degraded_spans: num(
    true,
    "spans with self time over twice their operation's self-time p99, of operations with a significant share of such spans in the last minute",
    (t) => (warm(t) ? (t.spans?.degraded_spans ?? 0) : null),
  ),
  missing_calls: num(
    true,
    "operations the trace's request type calls in (almost) every trace that are absent from it, and usual ones absent while their recent absence rate surges (not in traces slower than their type's p99)",
    (t) => (warm(t) ? (t.calls?.missing_calls ?? 0) : null),
  ),
  unexpected_errors: num(true, "ERROR spans in operations whose baseline error rate is near zero", (t) =>
    warm(t) ? (t.calls?.unexpected_errors ?? 0) : null,
  ),
  new_edge_count: num(true, "caller→callee edges the model has not seen", (t) =>
    warm(t) ? t.new_edges.length : null,
  ),
  threshold: num(false, "the configured detection.threshold", (_t, ctx) => ctx.threshold),
  new_service_combination: {
    type: "boolean",
    modelDerived: true,
    description: "true when the trace has an edge the model has not seen",
    read: (t) => (warm(t) ? t.new_service_combination : null),
  },
  anomalous: {
    type: "boolean",
    modelDerived: true,
    description: "anomaly_score >= detection.threshold",
    read: (t, ctx) => (t.anomaly_score === null ? null : t.anomaly_score >= ctx.threshold),
  },
  root_service: str("service of the root span", (t) => t.features.root_service),
  root_operation: str("operation of the root span", (t) => t.features.root_operation),
  group_key: str("key of the baseline group the trace belongs to", (t) => t.features.group_key),
});

function num(modelDerived: boolean, description: string, read: Identifier["read"]): Identifier {
  return { type: "number", modelDerived, description, read };
}

function str(description: string, read: Identifier["read"]): Identifier {
  return { type: "string", modelDerived: false, description, read };
}

/** Names of the vocabulary, sorted, for error messages and docs. */
export const IDENTIFIER_NAMES: readonly string[] = Object.keys(VOCABULARY).sort();
