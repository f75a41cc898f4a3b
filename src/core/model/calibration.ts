/**
 * Calibration of raw isolation scores to [0, 1]: the empirical CDF of the training window's own
 * raw scores, stored as a quantile table (`points` raw scores at evenly spaced probabilities).
 */
export interface Calibration {
  /** Ascending raw scores; entry i is the i/(length−1) quantile of the training scores. */
  readonly quantiles: Float64Array;
}

/** Default size of the quantile table: 0.1% resolution. */
export const CALIBRATION_POINTS = 1001;

/** Builds the table from the training scores (any order; not modified). */
export function buildCalibration(rawScores: ArrayLike<number>, points = CALIBRATION_POINTS): Calibration {
  const sorted = Float64Array.from(rawScores).sort();
  const n = sorted.length;
  if (n === 0) throw new RangeError("calibration needs at least one score");
  const m = Math.max(2, Math.min(points, n));
  const quantiles = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const pos = (i / (m - 1)) * (n - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, n - 1);
    quantiles[i] = (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
  }
  return { quantiles };
}

/**
 * Fraction of the training window's traces whose raw score is at most `raw`, interpolated
 * linearly between table points: 0 below the lowest training score, 1 at or above the highest.
 */
export function calibrate(c: Calibration, raw: number): number {
  const q = c.quantiles;
  const m = q.length;
  if (!(raw >= (q[0] as number))) return 0;
  if (raw >= (q[m - 1] as number)) return 1;
  // Last index with q[i] <= raw (upper end of a plateau of equal scores).
  let lo = 0;
  let hi = m - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if ((q[mid] as number) <= raw) lo = mid;
    else hi = mid;
  }
  const a = q[lo] as number;
  const b = q[hi] as number;
  const frac = b > a ? (raw - a) / (b - a) : 0;
  return (lo + frac) / (m - 1);
}
