import { OperationMemo, type SpanProfile } from "../features/span-profile.js";
import { wilsonLower } from "./call-baselines.js";

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

/** Per operation: per slice, its number, spans and slow spans. */
interface Ring {
  readonly slice: Float64Array;
  readonly spans: Uint32Array;
  readonly slow: Uint32Array;
}

/** Live per-operation shares of slow spans; see {@link SlowShareOptions}. */
export class SlowShare {
  private readonly sliceMs: number;
  private readonly slices: number;
  /** See {@link SlowShareOptions.minSlow}. */
  readonly minSlow: number;
  /** See {@link SlowShareOptions.multiple}. */
  readonly multiple: number;
  /** See {@link SlowShareOptions.factor}. */
  readonly factor: number;
  private readonly z: number;
  private readonly maxOperations: number;
  private readonly ops = new Map<string, Ring>();
  /** Rings by operation id (see OperationMemo); started over when an operation is dropped. */
  private memo = this.newMemo();
  /** The event time of the last recorded span, and its slice and slot. */
  private lastMs = Number.NaN;
  private lastSlice = 0;
  private lastAt = 0;

  constructor(o: SlowShareOptions = {}) {
    this.slices = Math.max(1, Math.floor(o.slices ?? 6));
    this.sliceMs = Math.max(1, (o.windowMs ?? 60_000) / this.slices);
    this.factor = o.factor ?? 10;
    this.z = o.z ?? 1.645;
    this.multiple = o.multiple ?? 2;
    this.minSlow = o.minSlow ?? 3;
    this.maxOperations = o.maxOperations ?? 20_000;
  }

  /** Operations tracked. */
  get size(): number {
    return this.ops.size;
  }

  /** Counts one span of `op` at event time `tMs`, slow or not. */
  record(op: string, slow: boolean, tMs: number): void {
    this.count(this.ringOf(op, tMs), slow, tMs);
  }

  /** Counts span `i` of profile `p` (its operation found by id) at event time `tMs`, slow or not. */
  recordSpan(p: SpanProfile, i: number, slow: boolean, tMs: number): void {
    this.now = tMs;
    this.count(this.memo.get(p, i), slow, tMs);
  }

  /** The time ringOf is asked at from the memo's lookup. */
  private now = 0;

  private newMemo(): OperationMemo<Ring> {
    return new OperationMemo((key) => this.ringOf(key, this.now));
  }

  private ringOf(op: string, tMs: number): Ring {
    let r = this.ops.get(op);
    if (r === undefined) {
      if (this.ops.size >= this.maxOperations) this.evict(tMs);
      r = {
        slice: new Float64Array(this.slices).fill(-Infinity),
        spans: new Uint32Array(this.slices),
        slow: new Uint32Array(this.slices),
      };
      this.ops.set(op, r);
    }
    return r;
  }

  private count(r: Ring, slow: boolean, tMs: number): void {
    if (tMs !== this.lastMs) {
      this.lastMs = tMs;
      this.lastSlice = Math.floor(tMs / this.sliceMs);
      this.lastAt = ((this.lastSlice % this.slices) + this.slices) % this.slices;
    }
    const s = this.lastSlice;
    const at = this.lastAt;
    if (r.slice[at] !== s) {
      // A span older than a window is not counted.
      if ((r.slice[at] as number) > s) return;
      r.slice[at] = s;
      r.spans[at] = 0;
      r.slow[at] = 0;
    }
    r.spans[at] = (r.spans[at] as number) + 1;
    if (slow) r.slow[at] = (r.slow[at] as number) + 1;
  }

  /**
   * Makes room for a new operation: drops those without a span in the window ending at `tMs`,
   * or when every one has, the first tracked.
   */
  private evict(tMs: number): void {
    const oldest = Math.floor(tMs / this.sliceMs) - this.slices;
    for (const [op, r] of this.ops) {
      let newest = -Infinity;
      for (let i = 0; i < this.slices; i++) newest = Math.max(newest, r.slice[i] as number);
      if (newest <= oldest) this.ops.delete(op);
    }
    if (this.ops.size >= this.maxOperations) {
      const first = this.ops.keys().next();
      if (first.done !== true) this.ops.delete(first.value);
    }
    // Rings remembered by id may be gone now.
    this.memo = this.newMemo();
  }

  /** Spans and slow spans of `op` in the window ending at the slice of `tMs`. */
  counts(op: string, tMs: number): { spans: number; slow: number } {
    const r = this.ops.get(op);
    if (r === undefined) return { spans: 0, slow: 0 };
    const s = Math.floor(tMs / this.sliceMs);
    let spans = 0;
    let slow = 0;
    for (let i = 0; i < this.slices; i++) {
      const at = r.slice[i] as number;
      if (at > s - this.slices && at <= s) {
        spans += r.spans[i] as number;
        slow += r.slow[i] as number;
      }
    }
    return { spans, slow };
  }

  /**
   * Lower confidence bound of `op`'s share of slow spans in the window ending at `tMs`; 0 with
   * fewer than {@link SlowShareOptions.minSlow} slow spans.
   */
  lowerBound(op: string, tMs: number): number {
    const c = this.counts(op, tMs);
    return c.slow < this.minSlow ? 0 : wilsonLower(c.slow, c.spans, this.z);
  }

  /** Whether `op`, whose baseline predicts a share `expected` of slow spans, is degraded at `tMs`. */
  degraded(op: string, tMs: number, expected: number): boolean {
    return this.excess(op, tMs, expected) > this.factor;
  }

  /** `op`'s lower bound at `tMs` as a multiple of the share `expected` (degraded above factor). */
  excess(op: string, tMs: number, expected: number): number {
    return this.lowerBound(op, tMs) / expected;
  }
}
