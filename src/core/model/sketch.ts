/**
 * A compact, mergeable quantile sketch with a relative-accuracy guarantee (the DDSketch method,
 * Masson et al., VLDB 2019): a value x > 0 goes to bin i = ceil(log_γ x) with γ = (1 + α)/(1 − α),
 * and a quantile is answered with 2γ^i/(γ + 1), which is within α·x of every value x of its bin.
 * Counts live in one dense Uint32Array between the lowest and highest bin seen, so one sketch of
 * a latency that spans two orders of magnitude at α = 0.02 takes about 120 bins (480 bytes).
 * Above `maxBins` the lowest bins are collapsed into one (DDSketch's collapsing store: the upper
 * quantiles we compare against keep their guarantee). Values at or below `minValue` count as 0.
 *
 * Why not `@datadog/sketches-js` (the reference, used by the tests): it inserts at about 31 ns a
 * value, fast enough, but each sketch is a graph of objects (mapping, two stores, arrays growing by
 * chunks) and we keep one per operation, per window bucket, twice (span duration, self time).
 */
export class LogSketch {
  private counts: Uint32Array = EMPTY;
  /** Bin index of counts[0]. */
  private offset = 0;
  private zeros = 0;
  private total = 0;
  private readonly lnGamma: number;
  private readonly gamma: number;

  constructor(
    readonly relativeAccuracy = DEFAULT_RELATIVE_ACCURACY,
    readonly maxBins = DEFAULT_MAX_BINS,
    readonly minValue = DEFAULT_MIN_VALUE,
  ) {
    this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.lnGamma = Math.log(this.gamma);
  }

  /** Values added (all bins and zeros). */
  get count(): number {
    return this.total;
  }

  /** Heap held by the counts, bytes (for memory accounting). */
  get bytes(): number {
    return this.counts.byteLength + 48;
  }

  /** Adds `n` (default 1) occurrences of `x`; NaN and negatives count as 0. */
  add(x: number, n = 1): void {
    this.total += n;
    if (!(x > this.minValue)) {
      this.zeros += n;
      return;
    }
    this.addToBin(Math.ceil(Math.log(x) / this.lnGamma), n);
  }

  /**
   * Adds `x` to this sketch and `y` to `other`, as `add` each would: one logarithm when the two
   * values are equal and the sketches alike (a span's self time is its duration when it has no
   * children).
   */
  addPair(x: number, other: LogSketch, y: number): void {
    this.addPairAt(PAIR_X.fill(x), other, PAIR_Y.fill(y), 0);
  }

  /**
   * {@link addPair} of `xs[i]` and `ys[i]`: the values stay in their arrays, not boxed as
   * arguments of a call the compiler may not inline.
   */
  addPairAt(xs: Float64Array, other: LogSketch, ys: Float64Array, i: number): void {
    const x = xs[i] as number;
    const y = ys[i] as number;
    if (x !== y || other.lnGamma !== this.lnGamma || other.minValue !== this.minValue) {
      this.add(x);
      other.add(y);
      return;
    }
    this.total++;
    other.total++;
    if (!(x > this.minValue)) {
      this.zeros++;
      other.zeros++;
      return;
    }
    const bin = Math.ceil(Math.log(x) / this.lnGamma);
    this.addToBin(bin, 1);
    other.addToBin(bin, 1);
  }

  /** Adds every value of `other` (same relative accuracy). */
  merge(other: LogSketch): void {
    if (other.lnGamma !== this.lnGamma) throw new RangeError("sketches with different accuracies");
    this.total += other.total;
    this.zeros += other.zeros;
    const c = other.counts;
    for (let i = 0; i < c.length; i++)
      if ((c[i] as number) > 0) this.addToBin(other.offset + i, c[i] as number);
  }

  /**
   * How many of `other`'s values a partial merge of `n` takes: 0 when there is nothing left to do
   * (n ≤ 0, or n covers all of them and they have just been merged whole).
   */
  private partOf(other: LogSketch, n: number): number {
    if (other.lnGamma !== this.lnGamma) throw new RangeError("sketches with different accuracies");
    const take = Math.floor(n);
    if (!(take > 0)) return 0;
    if (take >= other.total) {
      this.merge(other);
      return 0;
    }
    return take;
  }

  /**
   * Adds the `n` lowest values of `other` (all of them when it holds no more; none for n ≤ 0;
   * fractional n rounds down), lowest bins first, a bin split where n ends.
   */
  mergeLowest(other: LogSketch, n: number): void {
    let left = this.partOf(other, n);
    if (left === 0) return;
    const z = Math.min(left, other.zeros);
    this.total += z;
    this.zeros += z;
    left -= z;
    const c = other.counts;
    for (let i = 0; i < c.length && left > 0; i++) {
      const k = Math.min(left, c[i] as number);
      if (k === 0) continue;
      this.total += k;
      this.addToBin(other.offset + i, k);
      left -= k;
    }
  }

  /**
   * Adds `n` of the values of `other` spread evenly over its distribution (each bin and the zeros
   * in proportion, rounded on the running total): a thinned copy with the same shape. All of them
   * when it holds no more; none for n ≤ 0.
   */
  mergeThinned(other: LogSketch, n: number): void {
    const take = this.partOf(other, n);
    if (take === 0) return;
    const f = take / other.total;
    let seen = other.zeros;
    let added = Math.round(seen * f);
    this.total += added;
    this.zeros += added;
    const c = other.counts;
    for (let i = 0; i < c.length; i++) {
      const k = c[i] as number;
      if (k === 0) continue;
      seen += k;
      const upTo = Math.round(seen * f);
      if (upTo > added) {
        this.total += upTo - added;
        this.addToBin(other.offset + i, upTo - added);
        added = upTo;
      }
    }
  }

  /** The q-quantile (0 ≤ q ≤ 1), lower rank convention of DDSketch; NaN when empty. */
  quantile(q: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(0, Math.min(1, q)) * (this.total - 1);
    let seen = this.zeros;
    if (seen > rank) return 0;
    const c = this.counts;
    for (let i = 0; i < c.length; i++) {
      seen += c[i] as number;
      if (seen > rank) return (2 * Math.pow(this.gamma, this.offset + i)) / (this.gamma + 1);
    }
    return (2 * Math.pow(this.gamma, this.offset + c.length - 1)) / (this.gamma + 1);
  }

  /**
   * Adds `x` once to this empty sketch, its bins sized like `like`'s (same accuracy and bin cap)
   * when `x` falls within them: a series expected to spread over the same range (the next time
   * bucket's) then fills without growing its array step by step. Only the storage differs: every
   * count, quantile and merge is that of a sketch that had `x` added.
   */
  addSizedLike(x: number, like: LogSketch): void {
    const c = like.counts;
    if (this.total === 0 && c.length > 8 && like.lnGamma === this.lnGamma && like.maxBins === this.maxBins) {
      const bin = x > this.minValue ? Math.ceil(Math.log(x) / this.lnGamma) : Number.NaN;
      if (bin >= like.offset && bin < like.offset + c.length) {
        this.counts = new Uint32Array(c.length);
        this.offset = like.offset;
      }
    }
    this.add(x);
  }

  private addToBin(bin: number, n: number): void {
    let c = this.counts;
    if (c.length === 0) {
      this.counts = c = new Uint32Array(8);
      this.offset = bin - 3;
    }
    let i = bin - this.offset;
    if (i < 0 || i >= c.length) {
      this.grow(bin);
      c = this.counts;
      i = Math.max(0, bin - this.offset);
    }
    c[i] = (c[i] as number) + n;
  }

  /** Makes room for `bin`, doubling the array; beyond maxBins the lowest bins collapse. */
  private grow(bin: number): void {
    const c = this.counts;
    // The occupied range (headroom left by earlier growth does not count).
    let first = 0;
    while (first < c.length && c[first] === 0) first++;
    let last = c.length - 1;
    while (last > first && c[last] === 0) last--;
    const lo = Math.min(bin, this.offset + first);
    const hi = Math.max(bin, this.offset + last);
    const span = hi - lo + 1;
    if (span <= this.maxBins) {
      const size = Math.min(this.maxBins, Math.max(span + 4, c.length * 2));
      const next = new Uint32Array(size);
      // Leave headroom on the side that grew.
      const newOffset = bin < this.offset ? Math.max(hi - size + 1, lo - 4) : lo;
      next.set(c.subarray(first, last + 1), this.offset + first - newOffset);
      this.counts = next;
      this.offset = newOffset;
      return;
    }
    // Collapse: keep the top maxBins bins, fold everything below into the lowest kept bin.
    const newOffset = hi - this.maxBins + 1;
    const next = new Uint32Array(this.maxBins);
    for (let i = first; i <= last; i++) {
      const b = this.offset + i;
      const j = Math.max(0, b - newOffset);
      next[j] = (next[j] as number) + (c[i] as number);
    }
    this.counts = next;
    this.offset = newOffset;
  }
}

const EMPTY = new Uint32Array(0);
const PAIR_X = new Float64Array(1);
const PAIR_Y = new Float64Array(1);

/** 2%: a p99 of 100 ms is answered within ±2 ms. */
export const DEFAULT_RELATIVE_ACCURACY = 0.02;
/** 512 bins at 2% cover a factor of about 8·10^8 between the lowest and the highest value. */
export const DEFAULT_MAX_BINS = 512;
/** Durations at or below 1 µs (ms units) count as zero. */
export const DEFAULT_MIN_VALUE = 1e-3;
