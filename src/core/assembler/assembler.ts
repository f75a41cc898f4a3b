import type { Span } from "../../domain/span.js";
import type { CompletedTrace, CompletionReason } from "../../domain/trace.js";
import { Fifo } from "../fifo.js";
import { ActivityList } from "./activity-list.js";
import { RecentDecisions } from "./decisions.js";
import { InFlight } from "./in-flight.js";
import { KeptTraces } from "./kept.js";
import { TraceState } from "./trace-state.js";
import {
  ASSEMBLER_DEFAULTS,
  noopLogger,
  noopMetrics,
  type AckToken,
  type AssemblerMetrics,
  type AssemblerStats,
  type CoreLogger,
  type TraceAssemblerOptions,
} from "./types.js";

/** What one `add` call did with its spans. */
export interface AddResult {
  readonly accepted: number;
  readonly duplicates: number;
  readonly late: number;
}

interface RootCheck {
  readonly state: TraceState;
  readonly deadlineMs: number;
}

/**
 * Groups spans into whole traces and hands each completed trace to the processor (see
 * DESIGN.md "Assemble"). Pure: time comes from the injected clock and from `tick(nowMs)`.
 */
export class TraceAssembler {
  private readonly traces = new Map<string, TraceState>();
  private readonly activity = new ActivityList<TraceState>();
  private readonly decisions: RecentDecisions;
  private readonly inFlight: InFlight;
  /** Completed traces kept for `reopenWindowMs`, so that a late span can re-open them. */
  private readonly kept = new KeptTraces();
  private readonly metrics: AssemblerMetrics;
  private readonly cfg: Required<Omit<TraceAssemblerOptions, "metrics" | "logger" | "processor" | "clock">>;
  private rootQueue = new Fifo<RootCheck>();
  private spans = 0;
  private bytes = 0;
  /** Bytes the shared holder reported at the last bound check (see `sharedBytes`). */
  private shared = 0;
  private over = false;
  private closed = false;
  private readonly listeners: Array<(over: boolean) => void> = [];
  private readonly completed: Record<CompletionReason, number> = {
    idle: 0,
    root: 0,
    evicted: 0,
    max_spans: 0,
    flush: 0,
  };
  private duplicates = 0;
  private late = 0;
  private merged = 0;
  private reopened = 0;
  private dropped = 0;
  private readonly logger: CoreLogger;
  /** Time spent waiting on a slow downstream, which does not age open traces (see `tick`). */
  private frozenMs = 0;
  private lastTickMs: number;

  constructor(private readonly options: TraceAssemblerOptions) {
    this.cfg = { ...ASSEMBLER_DEFAULTS, ...stripUndefined(options) } as typeof this.cfg;
    this.metrics = options.metrics ?? noopMetrics;
    this.logger = options.logger ?? noopLogger;
    this.lastTickMs = options.clock.now();
    this.decisions = new RecentDecisions(this.cfg.recentDecisions);
    this.inFlight = new InFlight(options.processor, this.cfg.retryDelayMs, this.metrics, this.logger, () =>
      this.updatePressure(),
    );
  }

  /**
   * Adds decoded spans. With `token`, every trace that takes spans holds it until the trace is
   * completed and acknowledged by the processor. Spans of already decided traces are late: they
   * re-open their trace while it is kept (see `reopenWindowMs`), else they are dropped and counted.
   */
  add(spans: readonly Span[], token?: AckToken): AddResult {
    if (this.closed) throw new Error("TraceAssembler.add() after shutdown()");
    const now = this.options.clock.now();
    const active = now - this.frozenMs;
    let accepted = 0;
    let duplicates = 0;
    let late = 0;
    let merged = 0;
    let state: TraceState | undefined;
    for (const span of spans) {
      if (state === undefined || state.traceId !== span.traceId || !state.open) {
        state = this.stateFor(span.traceId, active, token);
        if (state === undefined) {
          const kept = this.kept.get(span.traceId);
          // A redelivered copy of a span already processed does not re-open its trace.
          if (kept !== undefined && kept.has(span.spanId)) duplicates++;
          else if (kept !== undefined && this.canReopen(kept, active))
            state = this.reopen(kept, active, token);
          else late++;
          if (state === undefined) continue;
        }
      }
      if (state.has(span.spanId)) {
        duplicates++;
        continue;
      }
      const before = state.bytes;
      state.push(span);
      this.bytes += state.bytes - before;
      this.spans++;
      accepted++;
      if (state.scoredSpans > 0) merged++;
      if (state.spans.length >= this.cfg.maxSpansPerTrace) this.complete(state, "max_spans", now);
      else if (state.hasRoot) this.scheduleRootCheck(state, active);
    }
    this.countDropped(duplicates, late);
    if (merged > 0) {
      this.merged += merged;
      this.metrics.spansMerged(merged);
    }
    this.enforceBounds(now);
    this.updatePressure();
    return { accepted, duplicates, late };
  }

  /** The open trace for `traceId` (created, touched and holding `token`), or undefined if decided. */
  private stateFor(traceId: string, now: number, token: AckToken | undefined): TraceState | undefined {
    let state = this.traces.get(traceId);
    if (state === undefined) {
      if (this.decisions.has(traceId) || this.kept.get(traceId) !== undefined) return undefined;
      state = new TraceState(traceId, now);
      this.bytes += state.bytes;
      this.traces.set(traceId, state);
    } else {
      state.lastSeenMs = now;
    }
    // Ordered by last activity, the idle scan and eviction start at the oldest trace.
    this.activity.touch(state);
    if (token !== undefined) state.attach(token);
    return state;
  }

  private canReopen(state: TraceState, activeMs: number): boolean {
    if (activeMs - state.firstCompletedMs < this.cfg.reopenWindowMs) return true;
    this.kept.take(state);
    return false;
  }

  /** Opens a kept trace again: it completes again by the usual rules, with all its spans. */
  private reopen(state: TraceState, activeMs: number, token: AckToken | undefined): TraceState {
    this.kept.take(state);
    state.reopen(activeMs);
    this.traces.set(state.traceId, state);
    this.activity.touch(state);
    this.spans += state.spans.length;
    this.bytes += state.bytes;
    this.reopened++;
    if (token !== undefined) state.attach(token);
    return state;
  }

  private scheduleRootCheck(state: TraceState, now: number): void {
    const deadline = now + this.cfg.rootGraceMs;
    if (state.rootDeadlineMs === deadline) return;
    state.rootDeadlineMs = deadline;
    this.rootQueue.push({ state, deadlineMs: deadline });
  }

  private countDropped(duplicates: number, late: number): void {
    if (duplicates > 0) {
      this.duplicates += duplicates;
      this.metrics.spansDuplicate(duplicates);
    }
    if (late > 0) {
      this.late += late;
      this.metrics.spansLate(late);
    }
  }

  /**
   * Completes what is due at `nowMs` (default: the clock) and retries failed processing.
   * Deadlines run on "active" time: while back-pressure is on because completed traces await
   * acknowledgement, the source is paused and cannot deliver the rest of the open traces, so
   * that time does not count toward `decision_wait` or `root_grace` (else a slow downstream
   * would turn half-read traces into partial ones).
   */
  tick(nowMs: number = this.options.clock.now()): void {
    if (this.over && this.inFlight.count > 0) this.frozenMs += Math.max(0, nowMs - this.lastTickMs);
    this.lastTickMs = nowMs;
    const active = nowMs - this.frozenMs;
    this.kept.expire(active - this.cfg.reopenWindowMs);
    this.completeRootDue(active, nowMs);
    const idleBefore = active - this.cfg.decisionWaitMs;
    for (let state = this.activity.oldest; state !== null && state.lastSeenMs <= idleBefore;) {
      this.complete(state, "idle", nowMs);
      state = this.activity.oldest;
    }
    this.inFlight.retryDue(nowMs);
    // The shared holder may have grown since the last add (traces kept after their completion).
    this.enforceBounds(nowMs);
    this.updatePressure();
    this.metrics.buffered({
      openTraces: this.traces.size,
      spans: this.spans,
      bytes: this.bytes + this.inFlight.bytes + this.kept.bytes,
      inFlightTraces: this.inFlight.count,
      sharedBytes: this.shared,
    });
  }

  private completeRootDue(activeMs: number, nowMs: number): void {
    const queue = this.rootQueue;
    let check: RootCheck | undefined;
    while ((check = queue.peek()) !== undefined && check.deadlineMs <= activeMs) {
      queue.shift();
      const { state, deadlineMs } = check;
      if (state.open && state.rootDeadlineMs === deadlineMs && !state.hasMissingParent()) {
        this.complete(state, "root", nowMs);
      }
    }
  }

  private enforceBounds(now: number): void {
    // What the shared holder keeps comes off the budget first; then kept traces go: dropping one
    // only loses the chance to merge a late span. The holder may grow while traces complete here
    // (a processor keeping the trace it is handed), so its bytes are read again each time.
    const { maxTraces, maxBytes } = this.cfg;
    while (
      this.traces.size + this.kept.size > maxTraces ||
      this.bytes + this.kept.bytes + this.readShared() > maxBytes
    ) {
      if (!this.kept.dropOldest()) break;
    }
    while (this.traces.size > maxTraces || this.bytes + this.readShared() > maxBytes) {
      const oldest = this.activity.oldest;
      if (oldest === null) return;
      this.complete(oldest, "evicted", now);
      // Eviction means back-pressure did not hold the input back: say so, once per 10,000.
      const evicted = this.completed.evicted;
      if (evicted === 1 || evicted % 10_000 === 0) {
        this.logger.warn(
          { evicted, openTraces: this.traces.size, bufferedBytes: this.bytes },
          "memory bound reached: completing the oldest traces early",
        );
      }
    }
  }

  private readShared(): number {
    return (this.shared = this.cfg.sharedBytes());
  }

  private complete(state: TraceState, reason: CompletionReason, nowMs: number): void {
    state.open = false;
    this.traces.delete(state.traceId);
    this.activity.remove(state);
    this.decisions.add(state.traceId);
    this.spans -= state.spans.length;
    this.bytes -= state.bytes;
    this.completed[reason]++;
    this.metrics.traceCompleted(reason, state.spans.length);
    // Two literals rather than a spread: no object made and copied per trace to add the field.
    const trace: CompletedTrace =
      state.scoredSpans > 0
        ? {
            traceId: state.traceId,
            spans: state.spans,
            reason,
            completedAtMs: nowMs,
            earlierSpans: state.scoredSpans,
          }
        : { traceId: state.traceId, spans: state.spans, reason, completedAtMs: nowMs };
    this.inFlight.submit(trace, state.tokens, state.bytes);
    const active = nowMs - this.frozenMs;
    if (state.firstCompletedMs < 0) state.firstCompletedMs = active;
    // Evicted and max_spans traces were cut short to bound memory: re-opening would undo that.
    if ((reason === "root" || reason === "idle") && active - state.firstCompletedMs < this.cfg.reopenWindowMs)
      this.kept.keep(state, active);
  }

  /** True while buffered traces or bytes are above the high-water mark (until below low water). */
  isOverHighWater(): boolean {
    return this.over;
  }

  /** Calls `listener(true)` when back-pressure starts and `listener(false)` when it ends. */
  onPressureChange(listener: (over: boolean) => void): void {
    this.listeners.push(listener);
  }

  private updatePressure(): void {
    const traces = (this.traces.size + this.inFlight.count) / this.cfg.maxTraces;
    const bytes = (this.bytes + this.inFlight.bytes + this.shared) / this.cfg.maxBytes;
    const level = Math.max(traces, bytes);
    const next = this.over ? level >= this.cfg.lowWaterRatio : level >= this.cfg.highWaterRatio;
    if (next === this.over) return;
    this.over = next;
    this.metrics.backPressure(next);
    for (const listener of this.listeners) listener(next);
  }

  /**
   * Discards open traces without completing them and forgets recent decisions. For a
   * rebalance: the source re-reads those spans from the committed offsets, so no trace is
   * completed from the part of its spans read before the partition moved. With `onlyHeld`,
   * only traces holding a source acknowledgement token are dropped (spans from sources that
   * cannot re-read, such as OTLP/HTTP, stay). Returns the number of traces dropped.
   */
  dropOpen(options: { onlyHeld?: boolean } = {}): number {
    let count = 0;
    for (let state = this.activity.oldest; state !== null;) {
      const next = state.next;
      if (options.onlyHeld !== true || state.tokens !== null) {
        state.open = false;
        this.traces.delete(state.traceId);
        this.activity.remove(state);
        this.spans -= state.spans.length;
        this.bytes -= state.bytes;
        count++;
      }
      state = next;
    }
    if (this.traces.size === 0) this.rootQueue = new Fifo();
    this.decisions.clear();
    this.kept.clear();
    this.dropped += count;
    if (count > 0) this.metrics.tracesDropped(count);
    this.updatePressure();
    return count;
  }

  /** Completes every open trace (`flush`) and resolves when all processing is acknowledged. */
  flush(): Promise<void> {
    const now = this.options.clock.now();
    for (const state of [...this.traces.values()]) this.complete(state, "flush", now);
    this.updatePressure();
    return this.inFlight.whenIdle();
  }

  /** Resolves when no completed trace awaits acknowledgement. */
  whenIdle(): Promise<void> {
    return this.inFlight.whenIdle();
  }

  /** Flushes and refuses further spans. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.closed) return this.inFlight.whenIdle();
    this.closed = true;
    this.kept.clear();
    await this.flush();
  }

  stats(): AssemblerStats {
    return {
      openTraces: this.traces.size,
      bufferedSpans: this.spans,
      bufferedBytes: this.bytes,
      inFlightTraces: this.inFlight.count,
      inFlightBytes: this.inFlight.bytes,
      completed: { ...this.completed },
      duplicateSpans: this.duplicates,
      lateSpans: this.late,
      mergedLateSpans: this.merged,
      reopenedTraces: this.reopened,
      keptTraces: this.kept.size,
      keptBytes: this.kept.bytes,
      sharedBytes: this.shared,
      droppedTraces: this.dropped,
      processingFailures: this.inFlight.failures,
      abandonedTraces: this.inFlight.abandoned,
      overHighWater: this.over,
    };
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
