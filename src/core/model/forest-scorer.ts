import { averagePathLength, type Forest } from "./forest.js";

/** Trees walked side by side: eight independent chains of loads keep the core busy. */
const LANES = 8;

/**
 * A {@link Forest} laid out for scoring. Every tree is walked a fixed number of steps (the forest's
 * depth) without a data-dependent branch: a step is `node = next[node] + (x[feat[node]] < thr[node]
 * ? 0 : 1)`, computed as arithmetic. A leaf loops on itself: it tests an extra input slot that is
 * always 0 against +Infinity, so it stays put until the walk ends. Eight trees are walked at once so
 * their loads overlap. Scores are identical to a plain walk of the forest (same comparisons, same
 * summation order), including NaN inputs, which go right as in training.
 */
export class ForestScorer {
  readonly dims: number;
  private readonly roots: Int32Array;
  /** Column a node tests; leaves test slot `dims`. */
  private readonly feat: Int32Array;
  /** Left child (right child is next + 1); a leaf's own index. */
  private readonly next: Int32Array;
  /** Split threshold; +Infinity at leaves. */
  private readonly thr: Float64Array;
  /** Expected path length at leaves (depth + c(leaf size)); 0 at inner nodes. */
  private readonly leaf: Float64Array;
  /** Steps per tree: the deepest leaf's depth. */
  private readonly depth: number;
  /** The row being scored, plus the constant 0 slot leaves test. */
  private readonly x: Float64Array;
  private readonly cn: number;

  constructor(forest: Forest) {
    const { feature, left, value, dims } = forest;
    const n = feature.length;
    this.dims = dims;
    this.roots = forest.roots;
    this.feat = new Int32Array(n);
    this.next = new Int32Array(n);
    this.thr = new Float64Array(n);
    this.leaf = new Float64Array(n);
    // Children always follow their parent, so one forward pass gives every node's depth.
    const nodeDepth = new Int32Array(n);
    let depth = 0;
    for (let i = 0; i < n; i++) {
      const f = feature[i] as number;
      const d = nodeDepth[i] as number;
      if (f < 0) {
        this.feat[i] = dims;
        this.next[i] = i;
        this.thr[i] = Infinity;
        this.leaf[i] = value[i] as number;
        if (d > depth) depth = d;
      } else {
        const l = left[i] as number;
        if (!(l > i && l + 1 < n)) throw new RangeError(`forest node ${i} has children out of order`);
        this.feat[i] = f;
        this.next[i] = l;
        this.thr[i] = value[i] as number;
        nodeDepth[l] = d + 1;
        nodeDepth[l + 1] = d + 1;
      }
    }
    this.depth = depth;
    this.x = new Float64Array(dims + 1);
    this.cn = averagePathLength(forest.sampleSize);
  }

  /** Isolation score 2^(−E[h(x)] / c(ψ)) of the row at `rows[at .. at + dims)`: near 1 isolated. */
  score(rows: ArrayLike<number>, at = 0): number {
    return Math.pow(2, -this.meanPathLength(rows, at) / this.cn);
  }

  /** Scores every row of a row-major matrix into `out` (allocated when omitted). */
  scoreRows(rows: Float64Array, out: Float64Array = new Float64Array(rows.length / this.dims)): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.score(rows, i * this.dims);
    return out;
  }

  /** Mean path length E[h(x)] of the row at `rows[at .. at + dims)` over the trees. */
  meanPathLength(rows: ArrayLike<number>, at = 0): number {
    const x = this.x;
    for (let j = 0; j < this.dims; j++) x[j] = rows[at + j] as number;
    const { roots, feat, next, thr, leaf, depth } = this;
    const trees = roots.length;
    let total = 0;
    let t = 0;
    for (; t + LANES <= trees; t += LANES) {
      let n0 = roots[t] as number;
      let n1 = roots[t + 1] as number;
      let n2 = roots[t + 2] as number;
      let n3 = roots[t + 3] as number;
      let n4 = roots[t + 4] as number;
      let n5 = roots[t + 5] as number;
      let n6 = roots[t + 6] as number;
      let n7 = roots[t + 7] as number;
      for (let k = 0; k < depth; k++) {
        n0 = (next[n0] as number) + +!((x[feat[n0] as number] as number) < (thr[n0] as number));
        n1 = (next[n1] as number) + +!((x[feat[n1] as number] as number) < (thr[n1] as number));
        n2 = (next[n2] as number) + +!((x[feat[n2] as number] as number) < (thr[n2] as number));
        n3 = (next[n3] as number) + +!((x[feat[n3] as number] as number) < (thr[n3] as number));
        n4 = (next[n4] as number) + +!((x[feat[n4] as number] as number) < (thr[n4] as number));
        n5 = (next[n5] as number) + +!((x[feat[n5] as number] as number) < (thr[n5] as number));
        n6 = (next[n6] as number) + +!((x[feat[n6] as number] as number) < (thr[n6] as number));
        n7 = (next[n7] as number) + +!((x[feat[n7] as number] as number) < (thr[n7] as number));
      }
      total += leaf[n0] as number;
      total += leaf[n1] as number;
      total += leaf[n2] as number;
      total += leaf[n3] as number;
      total += leaf[n4] as number;
      total += leaf[n5] as number;
      total += leaf[n6] as number;
      total += leaf[n7] as number;
    }
    for (; t < trees; t++) {
      let n = roots[t] as number;
      for (let k = 0; k < depth; k++) {
        n = (next[n] as number) + +!((x[feat[n] as number] as number) < (thr[n] as number));
      }
      total += leaf[n] as number;
    }
    return total / trees;
  }
}

/** Scores every row of a row-major matrix with `forest` into `out` (allocated when omitted). */
export function scoreRows(forest: Forest, rows: Float64Array, out?: Float64Array): Float64Array {
  return new ForestScorer(forest).scoreRows(rows, out);
}
