import { describeError } from "../../errors.js";
import type { CompletedTrace } from "../../domain/trace.js";
import type { AckToken, AssemblerMetrics, CoreLogger, TraceProcessor, TraceProgress } from "./types.js";

/** One trace in flight; it is also the trace's {@link TraceProgress}, so none is made per attempt. */
class Pending implements TraceProgress {
  attempts = 0;
  retryAtMs = 0;
  released = false;

  constructor(
    private readonly owner: InFlight,
    /** The trace, or after `spansReleased` a copy without spans (id and times for logs). */
    public trace: CompletedTrace,
    readonly tokens: AckToken[] | null,
    public bytes: number,
  ) {}

  spansReleased(retainedBytes: number): void {
    this.owner.release(this, retainedBytes);
  }
}

const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Completed traces handed to the processor and not yet acknowledged. On acknowledgement their
 * source tokens are released; on failure they are retried with a doubling delay, so a failing
 * downstream holds back commits instead of losing traces. A trace whose processor released its
 * spans while waiting counts only what the processor retains, and is never retried: a failure
 * then leaves its tokens held (no commit past it until the partition is re-read).
 */
export class InFlight {
  count = 0;
  bytes = 0;
  failures = 0;
  /** Traces left unacknowledged for good (failed after their spans were released). */
  abandoned = 0;
  private readonly retries: Pending[] = [];
  private idleWaiters: Array<() => void> = [];
  private failuresLogged = 0;
  private nowMs = 0;

  constructor(
    private readonly processor: TraceProcessor,
    private readonly retryDelayMs: number,
    private readonly metrics: AssemblerMetrics,
    private readonly logger: CoreLogger,
    private readonly onSettled: () => void,
  ) {}

  submit(trace: CompletedTrace, tokens: AckToken[] | null, bytes: number): void {
    this.count++;
    this.bytes += bytes;
    this.run(new Pending(this, trace, tokens, bytes));
  }

  /** Starts the retries that are due at `nowMs`, in the order they failed. */
  retryDue(nowMs: number): void {
    this.nowMs = nowMs;
    const retries = this.retries;
    if (retries.length === 0) return;
    // One pass keeps the rest in place (splicing each due one out cost O(n) apiece: seconds for
    // tens of thousands of traces failing together). A retry's failure is recorded asynchronously.
    const due: Pending[] = [];
    let kept = 0;
    for (const p of retries) {
      if (p.retryAtMs <= nowMs) due.push(p);
      else retries[kept++] = p;
    }
    retries.length = kept;
    for (const p of due) this.run(p);
  }

  /** Resolves when nothing is in flight. */
  whenIdle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private run(p: Pending): void {
    let result: Promise<void>;
    try {
      result = this.processor.process(p.trace, p);
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(
      () => this.acked(p),
      (err: unknown) => this.failed(p, err),
    );
  }

  /** The processor keeps only `bytes` of the trace from now on: drop the spans. */
  release(p: Pending, bytes: number): void {
    if (p.released) return;
    p.released = true;
    const { traceId, reason, completedAtMs } = p.trace;
    p.trace = { traceId, reason, completedAtMs, spans: [] };
    this.bytes += bytes - p.bytes;
    p.bytes = bytes;
    this.onSettled();
  }

  private acked(p: Pending): void {
    if (p.tokens !== null) for (const token of p.tokens) token.release();
    this.done(p);
  }

  private done(p: Pending): void {
    p.released = true; // a late spansReleased() must not count its bytes again
    this.count--;
    this.bytes -= p.bytes;
    if (this.count === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
    this.onSettled();
  }

  private failed(p: Pending, err: unknown): void {
    this.failures++;
    this.metrics.processingFailed();
    if (p.released) return this.abandon(p, err);
    p.attempts++;
    // Log the first failure and then every hundredth, with the count, instead of one line each.
    if (this.failures - this.failuresLogged >= 100 || this.failuresLogged === 0) {
      this.logger.warn(
        { traceId: p.trace.traceId, attempts: p.attempts, failures: this.failures, err: describeError(err) },
        "trace processing failed; will retry",
      );
      this.failuresLogged = this.failures;
    }
    p.retryAtMs =
      Math.max(this.nowMs, p.trace.completedAtMs) +
      Math.min(MAX_RETRY_DELAY_MS, this.retryDelayMs * 2 ** (p.attempts - 1));
    this.retries.push(p);
  }

  /** Its spans are gone, so it cannot be processed again; its tokens stay held (never committed). */
  private abandon(p: Pending, err: unknown): void {
    this.abandoned++;
    this.metrics.traceAbandoned();
    this.logger.error(
      { traceId: p.trace.traceId, abandoned: this.abandoned, err: describeError(err) },
      "trace outputs could not be kept; leaving it unacknowledged so its spans are re-read after a restart",
    );
    this.done(p);
  }
}
