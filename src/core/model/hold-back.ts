/**
 * Which flagged traces training holds back. A detector flags about `tailShare` of normal traffic
 * by construction (1 − threshold): that normal tail must be learned, or baselines and calibration
 * tighten retrain after retrain. Flagged traces are held back only where time-local traffic holds
 * clearly more of them than that: an incident.
 */

/** When flagged traces are held back from training. */
export interface HoldBackPolicy {
  /**
   * Share of scored traffic expected to be flagged when nothing is wrong: the normal tail.
   * The detector passes 1 − threshold, what the calibration puts there by construction.
   */
  readonly tailShare: number;
  /**
   * How far above the expected tail count the flagged count must be, in standard deviations of a
   * binomial count, to count as an incident. Default 3 (normal traffic exceeds it a few times in
   * a thousand).
   */
  readonly slackSd?: number;
  /**
   * Fewest scored traces a judgment is made on: a bucket with fewer is judged together with its
   * nearest neighbours in time until they hold this many, so that a single flagged trace in a
   * quiet bucket is not taken for an incident, nor a slow incident spread thin over many small
   * buckets for normal. Default 100.
   */
  readonly minScored?: number;
}

/** Scored and flagged trace counts of one window bucket. */
export interface FlagCounts {
  readonly scored: number;
  readonly flagged: number;
}

/**
 * Most flagged traces `scored` scored traces may hold and still count as normal: the expected
 * tail count plus slackSd binomial standard deviations.
 */
export function allowedTail(scored: number, policy: HoldBackPolicy): number {
  const share = Math.min(1, Math.max(0, policy.tailShare));
  const mean = share * scored;
  return mean + (policy.slackSd ?? 3) * Math.sqrt(mean * (1 - share));
}

/**
 * Per bucket (in time order), whether it holds an incident: the flagged count of the bucket, pooled
 * with its neighbours on both sides one step at a time until they hold at least minScored scored
 * traces, compared with {@link allowedTail}. Without a policy no bucket does.
 */
export function incidentBuckets(
  buckets: readonly FlagCounts[],
  policy: HoldBackPolicy | undefined,
): boolean[] {
  if (policy === undefined) return buckets.map(() => false);
  const min = policy.minScored ?? 100;
  return buckets.map((b, i) => {
    let { scored, flagged } = b;
    for (let lo = i - 1, hi = i + 1; scored < min && (lo >= 0 || hi < buckets.length); lo--, hi++) {
      for (const j of [lo, hi]) {
        const n = buckets[j];
        if (n === undefined) continue;
        scored += n.scored;
        flagged += n.flagged;
      }
    }
    return flagged > allowedTail(scored, policy);
  });
}
