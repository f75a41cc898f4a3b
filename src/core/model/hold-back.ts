/**
 * Which flagged traces training holds back, judged per request type (group_key) and window bucket.
 *
 * A detector flags about `tailShare` of the traffic it was trained on (1 − threshold): that normal
 * tail must be learned, or baselines and calibration tighten retrain after retrain. But the share
 * is not the same for every type: a rare type that is slow by design can be flagged far more often
 * than 5%, every hour, and it is still normal. So each (bucket, type) cell is compared with that
 * type's own history in the window: the cell holds an incident, and its flagged traces are held
 * back, only when its flagged count is significantly above what the type's history predicts
 * (one-sided binomial test, Benjamini–Hochberg over all cells of the snapshot). Every other cell,
 * flagged traces included, is learned.
 *
 * The judgment is all or nothing per cell, with a margin on the expected share: holding back only
 * the excess would let the least anomalous traces of an incident in; testing against the bare
 * expected share is knife-edge for a model that flags a little more than it should everywhere
 * (the ratchet, docs/model.md).
 */

/** When flagged traces are held back from training. */
export interface HoldBackPolicy {
  /**
   * Share of scored traffic expected to be flagged when nothing is wrong: the normal tail.
   * The detector passes 1 − threshold, what the calibration puts there by construction.
   */
  readonly tailShare: number;
  /**
   * Relative margin on the expected share before a flagged share counts as an incident: 0.25
   * tests against 1.25 × the expected share (6.25% at threshold 0.95). Default 0.25.
   */
  readonly margin?: number;
  /**
   * False discovery rate of the incident judgments (Benjamini–Hochberg over the snapshot's cells).
   * Default 0.00135, the one-sided tail beyond 3 standard deviations: a lone cell is judged as
   * the whole bucket was before (6.25% plus about 3 sd).
   */
  readonly falseDiscoveryRate?: number;
  /**
   * Fewest scored traces of a type a cell is judged on: a cell with fewer is pooled with the same
   * type's nearest buckets in time until they hold this many, so that one flagged trace in a quiet
   * bucket is not an incident, nor a slow incident spread thin over many buckets normal.
   * Default 50.
   */
  readonly minScored?: number;
  /**
   * Fewest buckets in which a type was scored for its own history to set its expected share;
   * with fewer the type is expected at tailShare (a type seen only during an incident is not
   * taken as normal for it). Default 3.
   */
  readonly minHistoryBuckets?: number;
  /**
   * Slack of the whole-bucket judgment, in standard deviations of the bucket's flagged count
   * above its types' expected counts. Default 3.
   */
  readonly slackSd?: number;
  /**
   * Judge each (bucket, type) cell against the type's own history (below) instead of each bucket
   * as a whole. Default false: on the TrainTicket dev split, where faults run through most of the
   * recording, a type's history cannot tell a long incident from a type that is always slow, and
   * latency_spike F1 fell from 0.65 to 0.09 (docs/model.md).
   */
  readonly perType?: boolean;
}

/** Scored and flagged trace counts of one type in one window bucket. */
export interface FlagCounts {
  readonly scored: number;
  readonly flagged: number;
}

/** Per bucket (time order): flag counts per type (group_key). */
export type TypeFlagCounts = ReadonlyMap<string, FlagCounts>;

/** What the policy decided for one type in one bucket. */
export interface CellJudgment {
  /** Pooled counts the test was made on. */
  readonly scored: number;
  readonly flagged: number;
  /** Share of flagged traces expected for the type (its history, at least tailShare), margin included. */
  readonly expected: number;
  /** One-sided binomial p-value of the pooled flagged count at `expected`. */
  readonly pValue: number;
  readonly incident: boolean;
}

/**
 * Per bucket (in time order), the types whose flagged traces are held back: cells whose pooled
 * flagged count is significantly above the type's expected share (see the module comment).
 * Without a policy nothing is held back.
 */
export function heldBackTypes(
  buckets: readonly TypeFlagCounts[],
  policy: HoldBackPolicy | undefined,
): Set<string>[] {
  const out = buckets.map(() => new Set<string>());
  if (policy === undefined) return out;
  if (policy.perType !== true) {
    // Whole buckets: an incident bucket holds back the flagged traces of every type.
    const totals = buckets.map((b) => {
      let scored = 0;
      let flagged = 0;
      for (const c of b.values()) {
        scored += c.scored;
        flagged += c.flagged;
      }
      return { scored, flagged };
    });
    incidentBuckets(totals, policy).forEach((incident, i) => {
      if (incident) for (const t of (buckets[i] as TypeFlagCounts).keys()) out[i]?.add(t);
    });
    return out;
  }
  for (const [i, type, j] of judgeCells(buckets, policy)) if (j.incident) out[i]?.add(type);
  return out;
}

/**
 * Every judged cell: [bucket index, type, judgment]. Cells with no scored trace are not judged.
 * A cell is an incident when its own (pooled) flagged count is significant against the type's
 * expected share, or when its bucket as a whole holds clearly more flagged traces than the sum of
 * its types' expected counts (3 sd, pooled to 100 scored traces as the whole-bucket rule was) and
 * the cell is above its own expectation: a bucket-wide incident spread thin over many types still
 * shows, while a type flagged at its usual share never counts towards one.
 */
export function judgeCells(
  buckets: readonly TypeFlagCounts[],
  policy: HoldBackPolicy,
): [number, string, CellJudgment][] {
  const margin = policy.margin ?? 0.25;
  const minScored = policy.minScored ?? 50;
  const minHistory = policy.minHistoryBuckets ?? 3;
  const types = new Set<string>();
  for (const b of buckets) for (const t of b.keys()) types.add(t);
  const expectedOf = new Map<string, number>();
  const cells: [number, string, CellJudgment][] = [];
  const totals = buckets.map((b) => {
    let scored = 0;
    let flagged = 0;
    for (const c of b.values()) {
      scored += c.scored;
      flagged += c.flagged;
    }
    return { scored, flagged };
  });
  for (const type of types) {
    const series = buckets.map((b) => b.get(type) ?? { scored: 0, flagged: 0 });
    const present = series.flatMap((c, i) => (c.scored > 0 ? [i] : []));
    const pooled = present.map((i) => pool(series, i, minScored));
    // The type's history: its flagged share where the rest of the traffic was quiet, so that an
    // incident across many types (or all of the window) never becomes a type's normal.
    const others = totals.map((t, i) => ({
      scored: t.scored - (series[i] as FlagCounts).scored,
      flagged: t.flagged - (series[i] as FlagCounts).flagged,
    }));
    const quiet = present.flatMap((i, k) => {
      const o = pool(others, i, 100);
      return o.flagged <= allowedTail(o.scored, policy) ? [pooled[k] as FlagCounts] : [];
    });
    const history = quiet.length >= minHistory ? median(quiet.map((c) => c.flagged / c.scored)) : 0;
    const expected = Math.min(1, Math.max(policy.tailShare, history) * (1 + margin));
    expectedOf.set(type, expected);
    present.forEach((i, k) => {
      const c = pooled[k] as FlagCounts;
      const pValue = binomialUpperTail(c.flagged, c.scored, expected);
      cells.push([i, type, { ...c, expected, pValue, incident: false }]);
    });
  }
  const significant = benjaminiHochberg(
    cells.map((c) => c[2].pValue),
    policy.falseDiscoveryRate ?? 0.00135,
  );
  const busy = bucketIncidents(buckets, expectedOf, policy);
  return cells.map(([i, t, j], k) => {
    const own = buckets[i]?.get(t) ?? { scored: 0, flagged: 0 };
    const above = own.flagged > own.scored * j.expected;
    return [i, t, { ...j, incident: (significant[k] as boolean) || (busy[i] === true && above) }];
  });
}

/**
 * Per bucket, whether it holds clearly more flagged traces than its types' expected counts:
 * flagged > Σ scored × expected + slackSd (3) × sqrt(Σ scored × expected × (1 − expected)),
 * the bucket pooled with its neighbours until they hold 100 scored traces. With every type at
 * the tail share this is {@link incidentBuckets}.
 */
function bucketIncidents(
  buckets: readonly TypeFlagCounts[],
  expectedOf: ReadonlyMap<string, number>,
  policy: HoldBackPolicy,
): boolean[] {
  const totals = buckets.map((b) => {
    let scored = 0;
    let flagged = 0;
    let mean = 0;
    let variance = 0;
    for (const [t, c] of b) {
      const e = expectedOf.get(t) ?? policy.tailShare;
      scored += c.scored;
      flagged += c.flagged;
      mean += c.scored * e;
      variance += c.scored * e * (1 - e);
    }
    return { scored, flagged, mean, variance };
  });
  const slack = policy.slackSd ?? 3;
  return totals.map((_, i) => {
    const t = { ...(totals[i] as (typeof totals)[number]) };
    for (let lo = i - 1, hi = i + 1; t.scored < 100 && (lo >= 0 || hi < totals.length); lo--, hi++) {
      for (const j of [lo, hi]) {
        const n = totals[j];
        if (n === undefined) continue;
        t.scored += n.scored;
        t.flagged += n.flagged;
        t.mean += n.mean;
        t.variance += n.variance;
      }
    }
    return t.scored > 0 && t.flagged > t.mean + slack * Math.sqrt(t.variance);
  });
}

/** The cell at `i` pooled with its neighbours on both sides, one step at a time, until `min` scored. */
function pool(series: readonly FlagCounts[], i: number, min: number): FlagCounts {
  let { scored, flagged } = series[i] as FlagCounts;
  for (let lo = i - 1, hi = i + 1; scored < min && (lo >= 0 || hi < series.length); lo--, hi++) {
    for (const j of [lo, hi]) {
      const n = series[j];
      if (n === undefined) continue;
      scored += n.scored;
      flagged += n.flagged;
    }
  }
  return { scored, flagged };
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Benjamini–Hochberg step-up: which of the p-values are rejected at false discovery rate q. */
export function benjaminiHochberg(p: readonly number[], q: number): boolean[] {
  const order = p.map((_, i) => i).sort((a, b) => (p[a] as number) - (p[b] as number));
  let cut = -1;
  order.forEach((idx, rank) => {
    if ((p[idx] as number) <= (q * (rank + 1)) / p.length) cut = rank;
  });
  const out = p.map(() => false);
  for (let r = 0; r <= cut; r++) out[order[r] as number] = true;
  return out;
}

/** P(X ≥ k) for X ~ Binomial(n, p), summed exactly from k upward (terms fall fast above n·p). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  if (k <= n * p) return 1 - binomialUpperTail(n - k + 1, n, 1 - p);
  let term = Math.exp(
    logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p),
  );
  let sum = 0;
  const ratio = p / (1 - p);
  for (let j = k; j <= n && term > sum * 1e-17; j++) {
    sum += term;
    term *= ((n - j) / (j + 1)) * ratio;
  }
  return Math.min(1, sum);
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error below 1e-13). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (LANCZOS[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Most flagged traces `scored` scored traces may hold and still count as normal, judged on the
 * whole bucket: the tail count at tailShare × (1 + margin) plus `slackSd` (default 3) binomial
 * standard deviations.
 */
export function allowedTail(scored: number, policy: HoldBackPolicy): number {
  const share = Math.min(1, Math.max(0, policy.tailShare * (1 + (policy.margin ?? 0.25))));
  const mean = share * scored;
  return mean + (policy.slackSd ?? 3) * Math.sqrt(mean * (1 - share));
}

/**
 * Per bucket (in time order), whether the bucket as a whole holds an incident: its flagged count,
 * pooled with its neighbours on both sides one step at a time until they hold at least
 * `minScored` (default 100 here) scored traces, compared with {@link allowedTail}. For state
 * that is not kept per request type; training samples are judged per type ({@link heldBackTypes}).
 */
export function incidentBuckets(
  buckets: readonly FlagCounts[],
  policy: HoldBackPolicy | undefined,
): boolean[] {
  if (policy === undefined) return buckets.map(() => false);
  const min = policy.minScored ?? 100;
  return buckets.map((_, i) => {
    const c = pool(buckets, i, min);
    return c.flagged > allowedTail(c.scored, policy);
  });
}
