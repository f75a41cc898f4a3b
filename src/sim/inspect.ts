import type { Span } from "../domain/span.js";

/**
 * Structural facts about one simulated trace, computed directly from its spans. The simulator
 * uses them to confirm what it injected; tests use them to check each label's promise.
 */
export interface TraceShape {
  /** Latest end minus earliest start (ms). */
  readonly totalDurationMs: number;
  readonly spanCount: number;
  /** Spans with status ERROR. */
  readonly errorCount: number;
  /** Distinct services with at least one ERROR span. */
  readonly affectedServices: number;
  /** Distinct caller→callee service edges (`"a->b"`) between a parent span and its child. */
  readonly edges: ReadonlySet<string>;
  /** Distinct services in the trace. */
  readonly services: ReadonlySet<string>;
}

/** Computes the {@link TraceShape} of a trace's spans. */
export function traceShape(spans: readonly Span[]): TraceShape {
  const byId = new Map<string, Span>();
  for (const s of spans) byId.set(s.spanId, s);
  let min: bigint | null = null;
  let max: bigint | null = null;
  let errorCount = 0;
  const erroring = new Set<string>();
  const edges = new Set<string>();
  const services = new Set<string>();
  for (const s of spans) {
    if (min === null || s.startTimeUnixNano < min) min = s.startTimeUnixNano;
    if (max === null || s.endTimeUnixNano > max) max = s.endTimeUnixNano;
    services.add(s.service);
    if (s.status === "ERROR") {
      errorCount++;
      erroring.add(s.service);
    }
    const parent = s.parentSpanId === null ? undefined : byId.get(s.parentSpanId);
    if (parent !== undefined && parent.service !== s.service) edges.add(`${parent.service}->${s.service}`);
  }
  const totalDurationMs = min === null || max === null ? 0 : Number(max - min) / 1e6;
  return {
    totalDurationMs,
    spanCount: spans.length,
    errorCount,
    affectedServices: erroring.size,
    edges,
    services,
  };
}

/** The seed's cascade_failure condition: `error_count > 5 AND affected_services > 3`. */
export function meetsCascadeCondition(shape: TraceShape): boolean {
  return shape.errorCount > 5 && shape.affectedServices > 3;
}
