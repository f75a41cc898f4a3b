import { averagePathLength, type Forest } from "./forest.js";

/** Trees walked side by side: eight independent chains of loads keep the core busy. */
const LANES = 8;

/** Bytes per node: a Float64 threshold, then an Int32 column and an Int32 left child. */
const NODE_BYTES = 16;

/**
 * A {@link Forest} laid out for scoring. Every tree is walked a fixed number of steps (the forest's
 * depth) without a data-dependent branch: a step is `node = next[node] + (x[feat[node]] < thr[node]
 * ? 0 : 1)`, computed as arithmetic. A node's threshold, column and left child share 16 bytes, so a
 * step reads one cache line. A leaf loops on itself: it holds its expected path length in the
 * threshold slot and tests an extra input slot that is always -Infinity, which is below every leaf
 * value, so it stays put until the walk ends and its slot then gives the path length. Eight trees
 * are walked at once so their loads overlap (the last group filled up with empty trees, which add 0
 * to the sum). Scores are identical to a plain walk of the forest (same comparisons, same
 * summation order), including NaN inputs, which go right as in training.
 */
export class ForestScorer {
  readonly dims: number;
  /** The forest's trees' roots, then the empty tree's up to a multiple of {@link LANES}. */
  private readonly roots: Int32Array;
  private readonly trees: number;
  /** Node i's threshold (inner node) or expected path length (leaf) at index 2i. */
  private readonly thr: Float64Array;
  /** Node i's column at index 4i + 2 (leaves: slot `dims`) and left child at 4i + 3 (leaves: i). */
  private readonly link: Int32Array;
  /** Steps per tree: the deepest leaf's depth. */
  private readonly depth: number;
  /** The row being scored, plus the constant -Infinity slot leaves test. */
  private readonly x: Float64Array;
  private readonly cn: number;

  constructor(forest: Forest) {
    const { feature, left, value, dims } = forest;
    const n = feature.length;
    this.dims = dims;
    this.trees = forest.roots.length;
    // Node n is an empty tree, a leaf of path length 0: the roots are padded with it to a whole
    // number of lanes, so every tree is walked in a group of eight and the padding adds 0.
    this.roots = new Int32Array(Math.ceil(this.trees / LANES) * LANES).fill(n);
    this.roots.set(forest.roots);
    const nodes = new ArrayBuffer((n + 1) * NODE_BYTES);
    this.thr = new Float64Array(nodes);
    this.link = new Int32Array(nodes);
    this.link[4 * n + 2] = dims;
    this.link[4 * n + 3] = n;
    // Children always follow their parent, so one forward pass gives every node's depth.
    const nodeDepth = new Int32Array(n);
    let depth = 0;
    for (let i = 0; i < n; i++) {
      const f = feature[i] as number;
      const d = nodeDepth[i] as number;
      const v = value[i] as number;
      if (f < 0) {
        // A leaf must compare above -Infinity to stay on itself.
        if (!(v > -Infinity))
          throw new RangeError(`forest node ${i} is a leaf with path length ${v}, not above -Infinity`);
        this.thr[2 * i] = v;
        this.link[4 * i + 2] = dims;
        this.link[4 * i + 3] = i;
        if (d > depth) depth = d;
      } else {
        const l = left[i] as number;
        if (!(l > i && l + 1 < n)) throw new RangeError(`forest node ${i} has children out of order`);
        this.thr[2 * i] = v;
        this.link[4 * i + 2] = f;
        this.link[4 * i + 3] = l;
        nodeDepth[l] = d + 1;
        nodeDepth[l + 1] = d + 1;
      }
    }
    this.depth = depth;
    this.x = new Float64Array(dims + 1);
    this.x[dims] = -Infinity;
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
    const { roots, thr, link, depth, trees } = this;
    let total = 0;
    for (let t = 0; t < roots.length; t += LANES) {
      let n0 = roots[t] as number;
      let n1 = roots[t + 1] as number;
      let n2 = roots[t + 2] as number;
      let n3 = roots[t + 3] as number;
      let n4 = roots[t + 4] as number;
      let n5 = roots[t + 5] as number;
      let n6 = roots[t + 6] as number;
      let n7 = roots[t + 7] as number;
      for (let k = 0; k < depth; k++) {
        n0 =
          (link[4 * n0 + 3] as number) +
          +!((x[link[4 * n0 + 2] as number] as number) < (thr[2 * n0] as number));
        n1 =
          (link[4 * n1 + 3] as number) +
          +!((x[link[4 * n1 + 2] as number] as number) < (thr[2 * n1] as number));
        n2 =
          (link[4 * n2 + 3] as number) +
          +!((x[link[4 * n2 + 2] as number] as number) < (thr[2 * n2] as number));
        n3 =
          (link[4 * n3 + 3] as number) +
          +!((x[link[4 * n3 + 2] as number] as number) < (thr[2 * n3] as number));
        n4 =
          (link[4 * n4 + 3] as number) +
          +!((x[link[4 * n4 + 2] as number] as number) < (thr[2 * n4] as number));
        n5 =
          (link[4 * n5 + 3] as number) +
          +!((x[link[4 * n5 + 2] as number] as number) < (thr[2 * n5] as number));
        n6 =
          (link[4 * n6 + 3] as number) +
          +!((x[link[4 * n6 + 2] as number] as number) < (thr[2 * n6] as number));
        n7 =
          (link[4 * n7 + 3] as number) +
          +!((x[link[4 * n7 + 2] as number] as number) < (thr[2 * n7] as number));
      }
      total += thr[2 * n0] as number;
      total += thr[2 * n1] as number;
      total += thr[2 * n2] as number;
      total += thr[2 * n3] as number;
      total += thr[2 * n4] as number;
      total += thr[2 * n5] as number;
      total += thr[2 * n6] as number;
      total += thr[2 * n7] as number;
    }
    return total / trees;
  }
}

/** Scores every row of a row-major matrix with `forest` into `out` (allocated when omitted). */
export function scoreRows(forest: Forest, rows: Float64Array, out?: Float64Array): Float64Array {
  return new ForestScorer(forest).scoreRows(rows, out);
}
