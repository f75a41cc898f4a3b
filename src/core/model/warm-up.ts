/** How far the first model's training data has come, as `/readyz`, the API and the log report it. */
export interface WarmUpProgress {
  /** Model samples the window holds. */
  readonly samples: number;
  /** Samples the first model needs (training.min_samples). */
  readonly minSamples: number;
  /** Traces the window observed (before sampling) in its live buckets. */
  readonly observed: number;
  /** Samples gained per second over the recent past (event time), null before two readings. */
  readonly samplesPerSec: number | null;
  /** Time until `minSamples` at that rate, ms; 0 when reached, null when unknown (no rate yet). */
  readonly etaMs: number | null;
}

/** Options of {@link WarmUpRate}. */
export interface WarmUpRateOptions {
  /** How far back the rate looks, ms. Default 60,000. */
  readonly horizonMs?: number;
  /** Readings kept at most this often, ms. Default 1,000. */
  readonly stepMs?: number;
}

/**
 * The recent rate of a growing count (model samples during warm-up): readings at most every
 * `stepMs`, the rate measured over the last `horizonMs`. Bounded: horizon / step readings.
 */
export class WarmUpRate {
  private readonly horizonMs: number;
  private readonly stepMs: number;
  private readonly times: number[] = [];
  private readonly counts: number[] = [];

  constructor(o: WarmUpRateOptions = {}) {
    this.horizonMs = o.horizonMs ?? 60_000;
    this.stepMs = o.stepMs ?? 1_000;
  }

  /** Records that the count is `count` at `nowMs`. */
  note(nowMs: number, count: number): void {
    const n = this.times.length;
    if (n > 0 && nowMs - (this.times[n - 1] as number) < this.stepMs) {
      this.counts[n - 1] = count;
      return;
    }
    this.times.push(nowMs);
    this.counts.push(count);
    while (this.times.length > 2 && nowMs - (this.times[1] as number) >= this.horizonMs) {
      this.times.shift();
      this.counts.shift();
    }
  }

  /** Count gained per second between the oldest and newest reading, null before two readings. */
  perSecond(): number | null {
    const n = this.times.length;
    if (n < 2) return null;
    const dt = (this.times[n - 1] as number) - (this.times[0] as number);
    if (dt <= 0) return null;
    return (((this.counts[n - 1] as number) - (this.counts[0] as number)) * 1000) / dt;
  }

  /** Progress towards `minSamples` from `samples` and the recent rate. */
  progress(samples: number, minSamples: number, observed: number): WarmUpProgress {
    const rate = this.perSecond();
    const missing = Math.max(0, minSamples - samples);
    const etaMs = missing === 0 ? 0 : rate === null || rate <= 0 ? null : Math.ceil((missing / rate) * 1000);
    return { samples, minSamples, observed, samplesPerSec: rate, etaMs };
  }
}

/** "412 of 500 samples after 4,120 traces", for logs and the replay summary. */
export function describeWarmUp(p: WarmUpProgress): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const eta = p.etaMs === null || p.etaMs === 0 ? "" : `, about ${Math.ceil(p.etaMs / 1000)} s to go`;
  return `${n(p.samples)} of ${n(p.minSamples)} samples after ${n(p.observed)} traces${eta}`;
}
