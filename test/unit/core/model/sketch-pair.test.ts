import { describe, expect, it } from "vitest";
import { Prng } from "../../../../src/core/model/prng.js";
import { LogSketch } from "../../../../src/core/model/sketch.js";

/** What a sketch answers: its count and a spread of quantiles. */
const answers = (s: LogSketch): number[] => [
  s.count,
  ...[0, 0.1, 0.5, 0.9, 0.99, 1].map((q) => s.quantile(q)),
];

describe("LogSketch.addPair", () => {
  it("adds as two calls of add do, equal values, zeros, negatives and NaN included", () => {
    const rng = new Prng(31);
    const value = (): number => {
      const r = rng.next();
      if (r < 0.05) return 0;
      if (r < 0.08) return -rng.next();
      if (r < 0.1) return Number.NaN;
      if (r < 0.12) return 1e-4;
      return Math.exp(rng.next() * 12 - 4);
    };
    const a = new LogSketch();
    const b = new LogSketch();
    const refA = new LogSketch();
    const refB = new LogSketch();
    for (let i = 0; i < 20_000; i++) {
      const x = value();
      const y = rng.next() < 0.5 ? x : value();
      a.addPair(x, b, y);
      refA.add(x);
      refB.add(y);
    }
    expect(answers(a)).toEqual(answers(refA));
    expect(answers(b)).toEqual(answers(refB));
  });
});
