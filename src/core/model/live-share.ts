import { wilsonLower } from "./call-baselines.js";

/**
 * The live share of some event among trials, per key, over the last minute of event time: the
 * share of an operation's spans that are slow, of a request type's traces that lack a call. A
 * key counts as *surging* when the lower confidence bound of its recent share is more than
 * `factor` times the share its baseline predicts, with at least `minHits` events: a rate test, so
 * that a few events of a busy key do not count, and a key with few recent trials needs most of
 * them to be events.
 */
export interface LiveShareOptions {
  /** Event-time span of the share, ms. Default 60,000. */
  readonly windowMs?: number;
  /** Slices the window rolls by. Default 6. */
  readonly slices?: number;
  /** How many times the predicted share the lower bound must be to surge. Default 10. */
  readonly factor?: number;
  /** Fewest events in the window for a key to surge. Default 3. */
  readonly minHits?: number;
  /** One-sided confidence of the bound (normal quantile). Default 1.645 (95%). */
  readonly z?: number;
  /** Keys tracked at most; the least recently seen is dropped beyond. Default 20,000. */
  readonly maxKeys?: number;
}

/** Per key: per slice, its number, trials and events. */
export interface Ring {
  readonly slice: Float64Array;
  readonly trials: Uint32Array;
  readonly hits: Uint32Array;
}

/** Live per-key shares of events; see {@link LiveShareOptions}. */
export class LiveShare {
  private readonly sliceMs: number;
  private readonly slices: number;
  /** See {@link LiveShareOptions.minHits}. */
  readonly minHits: number;
  /** See {@link LiveShareOptions.factor}. */
  readonly factor: number;
  private readonly z: number;
  private readonly maxKeys: number;
  private readonly keys = new Map<string, Ring>();
  /**
   * Bumped whenever keys are dropped: a ring held by a caller (see {@link ring}) is valid while
   * the generation it was taken at is current.
   */
  generation = 0;
  /** The event time of the last count, and its slice and slot. */
  private lastMs = Number.NaN;
  private lastSlice = 0;
  private lastAt = 0;

  constructor(o: LiveShareOptions = {}) {
    this.slices = Math.max(1, Math.floor(o.slices ?? 6));
    this.sliceMs = Math.max(1, (o.windowMs ?? 60_000) / this.slices);
    this.factor = o.factor ?? 10;
    this.z = o.z ?? 1.645;
    this.minHits = o.minHits ?? 3;
    this.maxKeys = o.maxKeys ?? 20_000;
  }

  /** Keys tracked. */
  get size(): number {
    return this.keys.size;
  }

  /** Counts one trial of `key` at event time `tMs`, an event or not. */
  record(key: string, hit: boolean, tMs: number): void {
    this.count(this.ring(key, tMs), hit, tMs);
  }

  /** The ring of `key`, made (dropping stale keys when full) if new; see {@link generation}. */
  ring(key: string, tMs: number): Ring {
    let r = this.keys.get(key);
    if (r === undefined) {
      if (this.keys.size >= this.maxKeys) this.evict(tMs);
      r = {
        slice: new Float64Array(this.slices).fill(-Infinity),
        trials: new Uint32Array(this.slices),
        hits: new Uint32Array(this.slices),
      };
      this.keys.set(key, r);
    }
    return r;
  }

  /** Counts one trial in ring `r` (from {@link ring}, current generation) at `tMs`. */
  count(r: Ring, hit: boolean, tMs: number): void {
    if (tMs !== this.lastMs) {
      this.lastMs = tMs;
      this.lastSlice = Math.floor(tMs / this.sliceMs);
      this.lastAt = ((this.lastSlice % this.slices) + this.slices) % this.slices;
    }
    const s = this.lastSlice;
    const at = this.lastAt;
    if (r.slice[at] !== s) {
      // A trial older than a window is not counted.
      if ((r.slice[at] as number) > s) return;
      r.slice[at] = s;
      r.trials[at] = 0;
      r.hits[at] = 0;
    }
    r.trials[at] = (r.trials[at] as number) + 1;
    if (hit) r.hits[at] = (r.hits[at] as number) + 1;
  }

  /**
   * Makes room for a new key: drops those without a trial in the window ending at `tMs`, or
   * when every one has, the first tracked.
   */
  private evict(tMs: number): void {
    const oldest = Math.floor(tMs / this.sliceMs) - this.slices;
    for (const [key, r] of this.keys) {
      let newest = -Infinity;
      for (let i = 0; i < this.slices; i++) newest = Math.max(newest, r.slice[i] as number);
      if (newest <= oldest) this.keys.delete(key);
    }
    if (this.keys.size >= this.maxKeys) {
      const first = this.keys.keys().next();
      if (first.done !== true) this.keys.delete(first.value);
    }
    this.generation++;
  }

  /** Trials and events of `key` in the window ending at the slice of `tMs`. */
  tally(key: string, tMs: number): { trials: number; hits: number } {
    const r = this.keys.get(key);
    return r === undefined ? { trials: 0, hits: 0 } : this.tallyOf(r, tMs);
  }

  /** Trials and events of ring `r` in the window ending at the slice of `tMs`. */
  tallyOf(r: Ring, tMs: number): { trials: number; hits: number } {
    const s = Math.floor(tMs / this.sliceMs);
    let trials = 0;
    let hits = 0;
    for (let i = 0; i < this.slices; i++) {
      const at = r.slice[i] as number;
      if (at > s - this.slices && at <= s) {
        trials += r.trials[i] as number;
        hits += r.hits[i] as number;
      }
    }
    return { trials, hits };
  }

  /** Lower confidence bound of `key`'s share at `tMs`; 0 with fewer than `minHits` events. */
  lowerBound(key: string, tMs: number): number {
    const r = this.keys.get(key);
    return r === undefined ? 0 : this.lowerBoundOf(r, tMs);
  }

  /** {@link lowerBound} of ring `r`. */
  lowerBoundOf(r: Ring, tMs: number): number {
    const c = this.tallyOf(r, tMs);
    return c.hits < this.minHits ? 0 : wilsonLower(c.hits, c.trials, this.z);
  }

  /** `key`'s lower bound at `tMs` as a multiple of the share `expected` (surging above factor). */
  excess(key: string, tMs: number, expected: number): number {
    return this.lowerBound(key, tMs) / expected;
  }

  /** Whether `key`, whose baseline predicts a share `expected`, surges at `tMs`. */
  surging(key: string, tMs: number, expected: number): boolean {
    return this.excess(key, tMs, expected) > this.factor;
  }

  /** {@link surging} of ring `r`. */
  surgingOf(r: Ring, tMs: number, expected: number): boolean {
    return this.lowerBoundOf(r, tMs) / expected > this.factor;
  }
}
