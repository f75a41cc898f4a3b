import { IsolationForest } from "ml-isolation-forest";
import { describe, expect, it } from "vitest";
import { averagePathLength, trainForest } from "../../../../src/core/model/forest.js";
import { scoreRows } from "../../../../src/core/model/forest-scorer.js";
import { rocAuc } from "../../../../src/core/model/metrics.js";
import { Prng } from "../../../../src/core/model/prng.js";

/** n rows of d dims: inliers N(0,1), every `every`-th row an outlier drawn from N(shift, 3). */
function synthetic(n: number, d: number, every: number, seed: number) {
  const p = new Prng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - p.next())) * Math.cos(2 * Math.PI * p.next());
  const rows = new Float64Array(n * d);
  const outlier: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const out = i % every === 0;
    outlier.push(out);
    for (let j = 0; j < d; j++) rows[i * d + j] = out ? 1.5 + 3 * gauss() : gauss();
  }
  return { rows, outlier };
}

describe("isolation forest", () => {
  it.each([
    { d: 2, every: 20, seed: 3 },
    { d: 5, every: 50, seed: 7 },
    { d: 7, every: 30, seed: 11 },
  ])("ranks outliers at least as well as ml-isolation-forest (d=$d)", ({ d, every, seed }) => {
    const { rows, outlier } = synthetic(3000, d, every, seed);
    const ours = rocAuc(scoreRows(trainForest(rows, d, { seed }), rows), outlier);
    const matrix = Array.from({ length: 3000 }, (_, i) => Array.from(rows.subarray(i * d, (i + 1) * d)));
    const ref = new IsolationForest();
    ref.train(matrix);
    const theirs = rocAuc(ref.predict(matrix), outlier);
    expect(ours).toBeGreaterThanOrEqual(theirs - 0.01);
  });

  it("is deterministic for a seed and differs across seeds", () => {
    const { rows } = synthetic(1000, 3, 10, 1);
    const a = trainForest(rows, 3, { seed: 5 });
    expect(trainForest(rows, 3, { seed: 5 })).toEqual(a);
    expect(trainForest(rows, 3, { seed: 6 }).value).not.toEqual(a.value);
  });

  it.each([
    { n: 1000, psi: 256, height: 8 },
    { n: 100, psi: 256, height: 7 },
    { n: 5000, psi: 1024, height: 10 },
  ])("limits trees to ceil(log2 ψ) levels (n=$n, ψ=$psi)", ({ n, psi, height }) => {
    const { rows } = synthetic(n, 2, 10, 2);
    const f = trainForest(rows, 2, { maxSamples: psi, nEstimators: 10 });
    const depthOf = (node: number): number =>
      (f.feature[node] as number) < 0
        ? 0
        : 1 + Math.max(depthOf(f.left[node] as number), depthOf((f.left[node] as number) + 1));
    const depths = Array.from(f.roots, (r) => depthOf(r));
    expect(Math.max(...depths)).toBeLessThanOrEqual(height);
    expect(f.sampleSize).toBe(Math.min(n, psi));
  });

  it("makes a single leaf of constant data, scoring every row the same", () => {
    const rows = new Float64Array(200).fill(4);
    const s = scoreRows(trainForest(rows, 2), rows);
    expect(new Set(s).size).toBe(1);
  });

  it.each([
    { n: 1, c: 0 },
    { n: 2, c: 1 },
    { n: 256, c: 2 * (Math.log(255) + 0.5772156649015329) - (2 * 255) / 256 },
  ])("normalises path lengths with c($n) = $c", ({ n, c }) => {
    expect(averagePathLength(n)).toBeCloseTo(c, 12);
  });

  it("refuses fewer than two rows", () => {
    expect(() => trainForest(new Float64Array(3), 3)).toThrow(RangeError);
  });
});
