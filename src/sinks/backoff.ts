/** Retry backoff settings. */
export interface BackoffOptions {
  /** Delay cap before the first retry, ms. Default 500. */
  readonly initialMs?: number;
  /** Cap of any delay, ms. Default 30000. */
  readonly maxMs?: number;
  /** Growth per attempt. Default 2. */
  readonly multiplier?: number;
}

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(maxMs, initialMs·multiplier^(n-1))]
 * after the n-th failed attempt, so retries of many alerts spread out instead of arriving together.
 * A server's Retry-After (capped at maxMs) is a lower bound.
 */
export function backoffDelay(
  failedAttempts: number,
  options: BackoffOptions,
  random: () => number,
  retryAfterMs?: number,
): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const multiplier = options.multiplier ?? 2;
  const cap = Math.min(max, initial * multiplier ** Math.max(0, failedAttempts - 1));
  const jittered = Math.floor(random() * cap);
  return retryAfterMs === undefined ? jittered : Math.max(jittered, Math.min(retryAfterMs, max));
}
