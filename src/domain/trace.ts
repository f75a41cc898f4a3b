import type { Span } from "./span.js";

/**
 * Why the assembler declared a trace complete.
 * - `idle`: no span arrived for `decision_wait`.
 * - `root`: the root span ended `root_grace` ago and no open-ended child is known.
 * - `evicted`: memory bounds forced early completion of the oldest trace.
 * - `max_spans`: the trace reached `max_spans_per_trace`.
 * - `flush`: shutdown or end of input completed it.
 */
export type CompletionReason = "idle" | "root" | "evicted" | "max_spans" | "flush";

/** A whole trace handed from the assembler to feature extraction. */
export interface CompletedTrace {
  readonly traceId: string;
  readonly spans: readonly Span[];
  readonly reason: CompletionReason;
  /** Clock time (ms) at which the assembler completed the trace. */
  readonly completedAtMs: number;
  /**
   * Set when a late span re-opened the trace after it was processed: the number of spans (the
   * first ones of `spans`) that an earlier completion already handed over. Per-span outputs (span
   * and service-graph metrics) count only what is new.
   */
  readonly earlierSpans?: number;
}
