import { OperationMemo, type SpanProfile } from "../features/span-profile.js";
import { LiveShare, type Ring } from "./live-share.js";

/**
 * The live share of each operation's slow spans over the last minute of event time.
 *
 * At most about 1% of an operation's normal spans exceed its p99, and a trace holding one is no
 * news: busy operations have a slow span every few seconds. A fault in one service is different:
 * a large share of that service's spans become slow at once (a CPU-starved container runs in
 * throttled 100 ms periods, a delayed link adds its delay to every call). A span is slow when its
 * own time (not the time it waits on callees) is beyond twice its operation's self-time p99, and
 * an operation counts as *degraded* when the lower confidence bound of its recent share of slow
 * spans is more than ten times the share its baseline predicts: a rate test, so that a few slow
 * spans of a busy operation do not count, and an operation with few recent spans needs most of
 * them slow.
 */
export interface SlowShareOptions {
  /** Event-time span of the share, ms. Default 60,000. */
  readonly windowMs?: number;
  /** Slices the window rolls by. Default 6. */
  readonly slices?: number;
  /**
   * A span is slow when its self time is beyond this multiple of its operation's self-time p99
   * (floored like the other ratios). Default 2, as the seed's `latency_spike` judges a trace.
   */
  readonly multiple?: number;
  /**
   * How many times the share of slow spans its baseline predicts an operation's recent share
   * must be (judged on the lower confidence bound) for it to count as degraded. A p99 learned
   * from n spans predicts max(1%, 1/(n + 1)). Default 10.
   */
  readonly factor?: number;
  /** Fewest slow spans in the window for an operation to count as degraded. Default 3. */
  readonly minSlow?: number;
  /** One-sided confidence of the bound (normal quantile). Default 1.645 (95%). */
  readonly z?: number;
  /** Operations tracked at most; the least recently seen is dropped beyond. Default 20,000. */
  readonly maxOperations?: number;
}

/** Live per-operation shares of slow spans; see {@link SlowShareOptions}. */
export class SlowShare extends LiveShare {
  /** See {@link SlowShareOptions.minSlow}. */
  readonly minSlow: number;
  /** See {@link SlowShareOptions.multiple}. */
  readonly multiple: number;
  /** Rings by operation id (see OperationMemo); started over when operations are dropped. */
  private memo = this.newMemo();
  private memoGeneration = 0;
  /** The time the memo's lookup asks for a ring at. */
  private now = 0;

  constructor(o: SlowShareOptions = {}) {
    super({
      ...(o.windowMs === undefined ? {} : { windowMs: o.windowMs }),
      ...(o.slices === undefined ? {} : { slices: o.slices }),
      ...(o.factor === undefined ? {} : { factor: o.factor }),
      ...(o.z === undefined ? {} : { z: o.z }),
      minHits: o.minSlow ?? 3,
      maxKeys: o.maxOperations ?? 20_000,
    });
    this.multiple = o.multiple ?? 2;
    this.minSlow = this.minHits;
  }

  /** Counts span `i` of profile `p` (its operation found by id) at event time `tMs`, slow or not. */
  recordSpan(p: SpanProfile, i: number, slow: boolean, tMs: number): void {
    if (this.memoGeneration !== this.generation) {
      this.memo = this.newMemo();
      this.memoGeneration = this.generation;
    }
    this.now = tMs;
    this.count(this.memo.get(p, i), slow, tMs);
  }

  private newMemo(): OperationMemo<Ring> {
    return new OperationMemo((key) => this.ring(key, this.now));
  }

  /** Spans and slow spans of `op` in the window ending at the slice of `tMs`. */
  counts(op: string, tMs: number): { spans: number; slow: number } {
    const c = this.tally(op, tMs);
    return { spans: c.trials, slow: c.hits };
  }

  /** Whether `op`, whose baseline predicts a share `expected` of slow spans, is degraded at `tMs`. */
  degraded(op: string, tMs: number, expected: number): boolean {
    return this.surging(op, tMs, expected);
  }
}
