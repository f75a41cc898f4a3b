/** Options of {@link RetrainSchedule}. */
export interface RetrainScheduleOptions {
  /** Retrain this often once a model exists, ms (config training.retrain_interval). */
  readonly intervalMs: number;
  /** Samples the window must hold before the first model is trained (training.min_samples). */
  readonly minSamples: number;
  /** While warming up, how often to check whether enough samples arrived, ms. Default 10 s. */
  readonly warmUpCheckMs?: number;
}

/**
 * When to retrain, on whatever clock the caller runs (wall time live, event time in replay):
 * during warm-up as soon as the window holds `minSamples`, then every `intervalMs`. A refused
 * model leaves the schedule waiting a full period, so a degenerate window is not retried in a loop.
 */
export class RetrainSchedule {
  private nextMs: number | null = null;
  private readonly warmUpCheckMs: number;

  constructor(private readonly o: RetrainScheduleOptions) {
    this.warmUpCheckMs = o.warmUpCheckMs ?? 10_000;
  }

  /** True when a retrain should start now; the caller then reports the outcome with `ran`. */
  due(nowMs: number, hasModel: boolean, samples: number): boolean {
    if (this.nextMs === null) this.nextMs = nowMs + (hasModel ? this.o.intervalMs : 0);
    if (nowMs < this.nextMs) return false;
    if (!hasModel && samples < this.o.minSamples) {
      this.nextMs = nowMs + this.warmUpCheckMs;
      return false;
    }
    return true;
  }

  /** Records that a retrain ran at `nowMs` (installed or refused). */
  ran(nowMs: number, installed: boolean, hasModel: boolean): void {
    const wait =
      installed || hasModel ? this.o.intervalMs : Math.min(this.o.intervalMs, this.warmUpCheckMs * 6);
    this.nextMs = nowMs + wait;
  }
}
