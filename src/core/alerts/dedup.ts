import type { Clock } from "../clock.js";
import { Fifo } from "../fifo.js";

/** Outcome of {@link CooldownWindows.admit} for one rule match. */
export interface DedupResult {
  /** Keys that opened a new window: the alert is emitted for these. Empty → suppressed. */
  readonly admitted: readonly string[];
  /** Keys still inside their window; their suppressed counters were incremented. */
  readonly suppressed: readonly string[];
  /** Matches suppressed in the previous windows of the admitted keys. */
  readonly suppressedSinceLast: number;
}

export interface CooldownWindowsOptions {
  readonly clock: Clock;
  /** Length of a window, ms; 0 disables deduplication. */
  readonly cooldownMs: number;
  /** Open windows (and, separately, carried-over counts) remembered at most. Default 100000. */
  readonly maxKeys?: number;
}

interface Window {
  readonly key: string;
  readonly startMs: number;
  suppressed: number;
}

/**
 * Cooldown windows of one alert rule, per key. The first match of a key opens a window of
 * `cooldownMs` and is admitted; matches inside it are suppressed and counted; the next admitted
 * match of that key carries the count. Memory is bounded by `maxKeys`.
 */
export class CooldownWindows {
  private readonly clock: Clock;
  private readonly cooldownMs: number;
  private readonly maxKeys: number;
  private readonly windows = new Map<string, Window>();
  // The same windows oldest first: start order is expiry order (every window has the same length).
  private readonly order = new Fifo<Window>();
  // Suppressed counts of closed windows, waiting for the key's next alert.
  private readonly carried = new Map<string, number>();

  constructor(options: CooldownWindowsOptions) {
    this.clock = options.clock;
    this.cooldownMs = options.cooldownMs;
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** Number of open windows. */
  get size(): number {
    return this.windows.size;
  }

  admit(keys: readonly string[]): DedupResult {
    if (this.cooldownMs <= 0) return { admitted: keys, suppressed: [], suppressedSinceLast: 0 };
    const now = this.clock.now();
    this.expire(now);
    const admitted: string[] = [];
    const suppressed: string[] = [];
    let since = 0;
    for (const key of keys) {
      const window = this.windows.get(key);
      if (window !== undefined) {
        window.suppressed += 1;
        suppressed.push(key);
        continue;
      }
      since += this.carried.get(key) ?? 0;
      this.carried.delete(key);
      const opened = { key, startMs: now, suppressed: 0 };
      this.windows.set(key, opened);
      this.order.push(opened);
      admitted.push(key);
    }
    // Past the bound the oldest windows are forgotten with their suppressed counts.
    while (this.windows.size > this.maxKeys) this.windows.delete(this.order.shift()!.key);
    return { admitted, suppressed, suppressedSinceLast: since };
  }

  private expire(now: number): void {
    let w: Window | undefined;
    while ((w = this.order.peek()) !== undefined && now - w.startMs >= this.cooldownMs) {
      this.order.shift();
      this.windows.delete(w.key);
      if (w.suppressed > 0) this.carried.set(w.key, w.suppressed);
    }
    if (this.carried.size <= this.maxKeys) return;
    for (const key of this.carried.keys()) {
      this.carried.delete(key);
      if (this.carried.size <= this.maxKeys) return;
    }
  }
}
