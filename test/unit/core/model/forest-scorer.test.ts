import { describe, expect, it } from "vitest";
import { averagePathLength, trainForest, type Forest } from "../../../../src/core/model/forest.js";
import { ForestScorer, scoreRows } from "../../../../src/core/model/forest-scorer.js";
import { Prng } from "../../../../src/core/model/prng.js";

/** The definition: walk each tree from its root, left when x < threshold, sum leaf values in tree order. */
function plainScore(f: Forest, x: ArrayLike<number>): number {
  let total = 0;
  for (const root of f.roots) {
    let node = root;
    while ((f.feature[node] as number) >= 0) {
      const l = f.left[node] as number;
      node = (x[f.feature[node] as number] as number) < (f.value[node] as number) ? l : l + 1;
    }
    total += f.value[node] as number;
  }
  return Math.pow(2, -(total / f.roots.length) / averagePathLength(f.sampleSize));
}

function randomRows(n: number, d: number, seed: number): Float64Array {
  const p = new Prng(seed);
  const rows = new Float64Array(n * d);
  for (let i = 0; i < rows.length; i++) rows[i] = p.next() < 0.1 ? Math.round(p.next() * 4) : p.next() * 100;
  return rows;
}

describe("forest scorer", () => {
  it.each([
    { trees: 1, d: 3, psi: 256 },
    { trees: 7, d: 2, psi: 64 },
    { trees: 8, d: 5, psi: 256 },
    { trees: 13, d: 7, psi: 32 },
    { trees: 100, d: 8, psi: 256 },
    { trees: 20, d: 4, psi: 1024 },
  ])("gives exactly the plain walk's scores ($trees trees, d=$d, ψ=$psi)", ({ trees, d, psi }) => {
    const train = randomRows(2000, d, trees * 31 + d);
    const forest = trainForest(train, d, { nEstimators: trees, maxSamples: psi, seed: trees });
    const test = randomRows(500, d, 99);
    const scorer = new ForestScorer(forest);
    const ours = scorer.scoreRows(test);
    for (let i = 0; i < 500; i++) {
      expect(ours[i]).toBe(plainScore(forest, test.subarray(i * d, (i + 1) * d)));
    }
  });

  it("sends NaN right and handles infinities and thresholds hit exactly as the plain walk does", () => {
    const d = 3;
    const forest = trainForest(randomRows(1000, d, 5), d, { seed: 2 });
    const scorer = new ForestScorer(forest);
    const specials = [NaN, Infinity, -Infinity, 0, -0, forest.value[0] as number, 1e308];
    for (const a of specials) {
      for (const b of specials) {
        const x = Float64Array.of(a, b, 50);
        expect(scorer.score(x)).toBe(plainScore(forest, x));
      }
    }
  });

  it("scores a row at an offset without touching its neighbours", () => {
    const d = 2;
    const forest = trainForest(randomRows(500, d, 8), d, { seed: 3 });
    const rows = randomRows(10, d, 4);
    const before = Float64Array.from(rows);
    const scorer = new ForestScorer(forest);
    expect(scorer.score(rows, 6 * d)).toBe(plainScore(forest, rows.subarray(6 * d, 7 * d)));
    expect(rows).toEqual(before);
  });

  it("scores a forest of single leaves (constant data) at depth zero", () => {
    const forest = trainForest(new Float64Array(400).fill(3), 2, { nEstimators: 9 });
    const s = scoreRows(forest, Float64Array.of(3, 3, -1, 1e9));
    expect(s[0]).toBe(plainScore(forest, [3, 3]));
    expect(s[1]).toBe(s[0]);
  });

  it("refuses a forest whose children do not follow their parent", () => {
    const forest = trainForest(randomRows(300, 2, 1), 2, { nEstimators: 2 });
    const left = Int32Array.from(forest.left);
    left[0] = 0;
    expect(() => new ForestScorer({ ...forest, left })).toThrow(/node 0/);
  });

  it.each([NaN, -Infinity])("refuses a forest with a leaf path length of %s, naming the leaf", (bad) => {
    const forest = trainForest(randomRows(300, 2, 1), 2, { nEstimators: 2 });
    const leaf = forest.feature.findIndex((f) => f < 0);
    const value = Float64Array.from(forest.value);
    value[leaf] = bad;
    expect(() => new ForestScorer({ ...forest, value })).toThrow(new RegExp(`node ${leaf} is a leaf`));
  });

  it("scores a leaf path length of +Infinity as the plain walk does", () => {
    const d = 2;
    const forest = trainForest(randomRows(300, d, 1), d, { nEstimators: 3 });
    const value = Float64Array.from(forest.value);
    for (let i = 0; i < value.length; i++)
      if ((forest.feature[i] as number) < 0 && i % 3 === 0) value[i] = Infinity;
    const changed = { ...forest, value };
    const scorer = new ForestScorer(changed);
    const rows = randomRows(50, d, 6);
    for (let i = 0; i < 50; i++) {
      const x = rows.subarray(i * d, (i + 1) * d);
      expect(scorer.score(x)).toBe(plainScore(changed, x));
    }
  });
});
