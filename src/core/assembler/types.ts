import type { CompletedTrace, CompletionReason } from "../../domain/trace.js";
import type { Clock } from "../clock.js";
import { noopLogger, type CoreLogger } from "../logger.js";

export { noopLogger, type CoreLogger };

/**
 * The next stage after assembly. The returned promise resolving means the trace was fully
 * handled (features, scores, alerts delivered or durably dead-lettered): only then may the source
 * commit the offsets of the trace's spans. Rejecting makes the assembler retry later, unless the
 * processor had released the spans (see {@link TraceProgress}).
 */
export interface TraceProcessor {
  process(trace: CompletedTrace, progress?: TraceProgress): Promise<void>;
}

/** What a processor may tell the assembler about a trace whose promise is still pending. */
export interface TraceProgress {
  /**
   * The processor no longer needs the trace's spans and keeps about `retainedBytes` of its results
   * until the promise settles. The assembler drops its in-flight reference to the spans and counts
   * `retainedBytes` toward back-pressure instead of the trace's size (a trace kept for re-opening
   * keeps its spans; they count toward `maxBytes` as kept bytes). Such a trace cannot be
   * processed again: if the promise then rejects, the trace is left unacknowledged for good (its
   * offsets are never committed; the next consumer re-reads it).
   */
  spansReleased(retainedBytes: number): void;
}

/**
 * A hold on a source message (a Kafka record). The assembler calls `hold()` once per trace that
 * takes spans from the message and `release()` when that trace has been completed and its
 * processing acknowledged. A message whose holds are all released can be committed.
 */
export interface AckToken {
  hold(): void;
  release(): void;
}

/** Counters and gauges the assembler reports; implemented by the metrics adapter. */
export interface AssemblerMetrics {
  traceCompleted(reason: CompletionReason, spans: number): void;
  spansDuplicate(count: number): void;
  /** Spans of a completed trace that could not re-open it (dropped, counted only). */
  spansLate(count: number): void;
  /** Spans of a completed trace merged into it: the trace re-opened and will be processed again. */
  spansMerged(count: number): void;
  /** Open traces discarded without completion (partition revoked, shutdown without flush). */
  tracesDropped(count: number): void;
  processingFailed(): void;
  /**
   * A trace left unacknowledged for good: its processing failed after the processor had released
   * its spans (an alert could not be kept), so its offsets are never committed and its spans are
   * re-read after a restart.
   */
  traceAbandoned(): void;
  backPressure(active: boolean): void;
  /**
   * Gauges, refreshed on every tick. `sharedBytes`: what {@link TraceAssemblerOptions.sharedBytes}
   * reported (the tail-sampling store's kept traces), not part of `bytes`.
   */
  buffered(state: {
    openTraces: number;
    spans: number;
    bytes: number;
    inFlightTraces: number;
    sharedBytes: number;
  }): void;
}

/** The subset of a pino logger the core uses. */

export const noopMetrics: AssemblerMetrics = {
  traceCompleted: () => undefined,
  spansDuplicate: () => undefined,
  spansLate: () => undefined,
  spansMerged: () => undefined,
  tracesDropped: () => undefined,
  processingFailed: () => undefined,
  traceAbandoned: () => undefined,
  backPressure: () => undefined,
  buffered: () => undefined,
};

/** Options of {@link TraceAssembler}. */
export interface TraceAssemblerOptions {
  readonly clock: Clock;
  readonly processor: TraceProcessor;
  /** A trace completes this long after its last span arrived. Default 10,000 ms. */
  readonly decisionWaitMs?: number;
  /**
   * A trace whose root span has arrived completes this long after its last span, if no span's
   * parent is missing. Default 6,000 ms: above the OpenTelemetry SDKs' 5 s export schedule, so
   * the spans of other services' next exports still arrive in time (docs/assembly.md).
   */
  readonly rootGraceMs?: number;
  /** Open traces at most; past it the oldest trace is completed early (`evicted`). Default 100,000. */
  readonly maxTraces?: number;
  /** A trace completes (`max_spans`) when it reaches this many spans; later spans count as late. Default 10,000. */
  readonly maxSpansPerTrace?: number;
  /**
   * Estimated heap bytes of open traces at most; past it the oldest are completed early.
   * Completed traces awaiting acknowledgement count toward back-pressure, not eviction. Default 512 MiB.
   */
  readonly maxBytes?: number;
  /**
   * Estimated heap bytes held outside the assembler within the same `maxBytes` budget (the traces
   * the tail-sampling store keeps), read at every bound check: open and re-openable traces get
   * what it leaves of `maxBytes`, and it counts toward back-pressure. Its holder bounds it below
   * `maxBytes` (the config requires it). Default: nothing shared.
   */
  readonly sharedBytes?: () => number;
  /** Back-pressure starts at this fraction of `maxTraces` or `maxBytes`. Default 0.8. */
  readonly highWaterRatio?: number;
  /** Back-pressure ends below this fraction. Default 0.6. */
  readonly lowWaterRatio?: number;
  /** Completed trace ids remembered to recognise late spans. Default 100,000. */
  readonly recentDecisions?: number;
  /**
   * A trace completed by `root` or `idle` keeps its spans this long after its first completion; a
   * span of it arriving meanwhile re-opens it, and it completes and is processed again with all its
   * spans. Later spans are late (dropped, counted). Kept spans count toward `maxBytes` and are the
   * first given up at that bound. 0 turns re-opening off. Default 30,000 ms.
   */
  readonly reopenWindowMs?: number;
  /** First delay before retrying a trace whose processing failed; doubles up to 30 s. Default 500 ms. */
  readonly retryDelayMs?: number;
  readonly metrics?: AssemblerMetrics;
  readonly logger?: CoreLogger;
}

export const ASSEMBLER_DEFAULTS = {
  decisionWaitMs: 10_000,
  rootGraceMs: 6_000,
  maxTraces: 100_000,
  maxSpansPerTrace: 10_000,
  maxBytes: 512 * 1024 * 1024,
  highWaterRatio: 0.8,
  lowWaterRatio: 0.6,
  recentDecisions: 100_000,
  reopenWindowMs: 30_000,
  retryDelayMs: 500,
  sharedBytes: (): number => 0,
} as const;

/** Counts since start, for tests, the bench and the API. */
export interface AssemblerStats {
  readonly openTraces: number;
  readonly bufferedSpans: number;
  readonly bufferedBytes: number;
  readonly inFlightTraces: number;
  readonly inFlightBytes: number;
  readonly completed: Readonly<Record<CompletionReason, number>>;
  readonly duplicateSpans: number;
  /** Late spans dropped (their trace could not be re-opened). */
  readonly lateSpans: number;
  /** Late spans merged into their re-opened trace. */
  readonly mergedLateSpans: number;
  /** Completed traces re-opened by a late span. */
  readonly reopenedTraces: number;
  /** Completed traces whose spans are kept for re-opening, and their estimated bytes. */
  readonly keptTraces: number;
  readonly keptBytes: number;
  /** Bytes held outside the assembler within `maxBytes` (see `sharedBytes`), at the last check. */
  readonly sharedBytes: number;
  readonly droppedTraces: number;
  readonly processingFailures: number;
  /** Traces left unacknowledged for good (see {@link AssemblerMetrics.traceAbandoned}). */
  readonly abandonedTraces: number;
  readonly overHighWater: boolean;
}
