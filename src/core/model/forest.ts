import { Prng } from "./prng.js";

/** Options of {@link trainForest}. */
export interface ForestOptions {
  /** Number of trees. Default 100. */
  readonly nEstimators?: number;
  /** Subsample size ψ per tree (capped at the number of rows). Default 256. */
  readonly maxSamples?: number;
  /** PRNG seed; same data and seed give the same forest. Default 1. */
  readonly seed?: number;
  /** Called after each tree (a worker uses it to pace itself); must not throw. */
  readonly pace?: () => void;
}

/**
 * A trained isolation forest, all trees in flat typed arrays. Node `i` is a leaf when
 * `feature[i] < 0`; then `value[i]` is its depth plus c(leaf size), the expected remaining path
 * length. Otherwise `value[i]` is the split threshold (go left when `x < value`) and the children
 * are `left[i]` and `left[i] + 1`.
 */
export interface Forest {
  readonly dims: number;
  /** Subsample size actually used (ψ capped at the training row count). */
  readonly sampleSize: number;
  /** First node of each tree. */
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly left: Int32Array;
  readonly value: Float64Array;
}

const EULER = 0.5772156649015329;

/** Average path length of an unsuccessful BST search among n points: the c(n) normaliser. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER) - (2 * (n - 1)) / n;
}

/**
 * Trains an isolation forest on `rows` (row-major, `dims` values per row). Each tree sees ψ rows
 * drawn without replacement and grows to height ceil(log2 ψ).
 */
export function trainForest(rows: Float64Array, dims: number, options: ForestOptions = {}): Forest {
  const n = Math.floor(rows.length / dims);
  if (n < 2 || dims < 1) throw new RangeError(`isolation forest needs at least 2 rows (got ${n})`);
  const trees = options.nEstimators ?? 100;
  const psi = Math.min(options.maxSamples ?? 256, n);
  const maxDepth = Math.ceil(Math.log2(psi));
  const nodesPerTree = 2 * psi - 1;
  const b = new Builder(rows, dims, trees * nodesPerTree, maxDepth, psi);
  const prng = new Prng(options.seed ?? 1);
  const pool = new Int32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  const roots = new Int32Array(trees);
  for (let t = 0; t < trees; t++) {
    // Partial Fisher-Yates: the first ψ slots become a uniform sample without replacement.
    for (let i = 0; i < psi; i++) {
      const j = i + prng.int(n - i);
      const tmp = pool[i] as number;
      pool[i] = pool[j] as number;
      pool[j] = tmp;
      b.idx[i] = pool[i] as number;
    }
    roots[t] = b.buildTree(prng);
    options.pace?.();
  }
  return {
    dims,
    sampleSize: psi,
    roots,
    feature: b.feature.slice(0, b.count),
    left: b.left.slice(0, b.count),
    value: b.value.slice(0, b.count),
  };
}

class Builder {
  readonly feature: Int32Array;
  readonly left: Int32Array;
  readonly value: Float64Array;
  readonly idx: Int32Array;
  count = 0;
  /** Threshold chosen by the last successful chooseSplit. */
  private threshold = 0;
  private readonly stack: Int32Array;
  private readonly psi: number;
  private readonly mins: Float64Array;
  private readonly maxs: Float64Array;
  private readonly candidates: Int32Array;

  constructor(
    private readonly rows: Float64Array,
    private readonly dims: number,
    capacity: number,
    private readonly maxDepth: number,
    psi: number,
  ) {
    this.feature = new Int32Array(capacity);
    this.left = new Int32Array(capacity);
    this.value = new Float64Array(capacity);
    this.idx = new Int32Array(psi);
    // Per pending node: node id, range start, range end, depth.
    this.stack = new Int32Array(4 * (2 * maxDepth + 4));
    this.psi = psi;
    this.mins = new Float64Array(dims);
    this.maxs = new Float64Array(dims);
    this.candidates = new Int32Array(dims);
  }

  buildTree(prng: Prng): number {
    const root = this.count++;
    let sp = 0;
    const st = this.stack;
    st[sp++] = root;
    st[sp++] = 0;
    st[sp++] = this.psi;
    st[sp++] = 0;
    while (sp > 0) {
      const depth = st[--sp] as number;
      const hi = st[--sp] as number;
      const lo = st[--sp] as number;
      const node = st[--sp] as number;
      const split = depth < this.maxDepth && hi - lo > 1 ? this.chooseSplit(lo, hi, prng) : -1;
      if (split < 0) {
        this.feature[node] = -1;
        this.value[node] = depth + averagePathLength(hi - lo);
        continue;
      }
      this.value[node] = this.threshold;
      const mid = this.partition(lo, hi, split, this.threshold);
      const l = this.count;
      this.count += 2;
      this.feature[node] = split;
      this.left[node] = l;
      st[sp++] = l;
      st[sp++] = lo;
      st[sp++] = mid;
      st[sp++] = depth + 1;
      st[sp++] = l + 1;
      st[sp++] = mid;
      st[sp++] = hi;
      st[sp++] = depth + 1;
    }
    return root;
  }

  /**
   * Picks a column uniformly among those not constant on [lo, hi) and a threshold uniform in
   * [min, max); -1 when every column is constant (the node becomes a leaf).
   */
  private chooseSplit(lo: number, hi: number, prng: Prng): number {
    const d = this.dims;
    let candidates = 0;
    for (let f = 0; f < d; f++) {
      let min = Infinity;
      let max = -Infinity;
      for (let i = lo; i < hi; i++) {
        const v = this.rows[(this.idx[i] as number) * d + f] as number;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      this.mins[f] = min;
      this.maxs[f] = max;
      if (max > min) this.candidates[candidates++] = f;
    }
    if (candidates === 0) return -1;
    const f = this.candidates[prng.int(candidates)] as number;
    const min = this.mins[f] as number;
    const max = this.maxs[f] as number;
    const thr = min + prng.next() * (max - min);
    // A threshold equal to the minimum would send every row right.
    this.threshold = thr > min ? thr : (min + max) / 2;
    return f;
  }

  private partition(lo: number, hi: number, f: number, thr: number): number {
    const d = this.dims;
    let i = lo;
    let j = hi - 1;
    while (i <= j) {
      if ((this.rows[(this.idx[i] as number) * d + f] as number) < thr) i++;
      else {
        const t = this.idx[i] as number;
        this.idx[i] = this.idx[j] as number;
        this.idx[j] = t;
        j--;
      }
    }
    return i;
  }
}
