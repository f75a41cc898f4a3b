/**
 * Which flagged traces training holds back. A detector flags about `tailShare` of normal traffic
 * by construction (1 − threshold): that normal tail must be learned, or baselines and calibration
 * tighten retrain after retrain. Flagged traces are held back only where time-local traffic holds
 * clearly more of them than that: an incident.
 *
 * The judgment is all or nothing, with a margin: holding back only the excess over tailShare
 * would be stable, but lets the least anomalous traces of an incident in (on the TrainTicket dev
 * split F1 drops from 0.804 to 0.78 and below); holding back every flagged trace as soon as the
 * share is above tailShare is knife-edge: a model that flags slightly more than tailShare of
 * normal traffic everywhere (one trained on a small window does) makes every bucket an incident,
 * the tail is trimmed, and the next model, calibrated on the trimmed set, flags more still (the
 * ratchet). The margin gives models that much room to be miscalibrated.
 */

/** When flagged traces are held back from training. */
export interface HoldBackPolicy {
  /**
   * Share of scored traffic expected to be flagged when nothing is wrong: the normal tail.
   * The detector passes 1 − threshold, what the calibration puts there by construction.
   */
  readonly tailShare: number;
  /**
   * Relative margin on tailShare before a flagged share counts as an incident: 0.25 allows
   * 1.25 × tailShare (6.25% at threshold 0.95). Default 0.25.
   */
  readonly margin?: number;
  /**
   * Further slack, in standard deviations of a binomial count at that share, so that chance
   * fluctuations of a small bucket are not an incident. Default 3.
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
 * Most flagged traces `scored` scored traces may hold and still count as normal: the tail count
 * at tailShare × (1 + margin) plus slackSd binomial standard deviations.
 */
export function allowedTail(scored: number, policy: HoldBackPolicy): number {
  const share = Math.min(1, Math.max(0, policy.tailShare * (1 + (policy.margin ?? 0.25))));
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
