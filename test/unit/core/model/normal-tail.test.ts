import { describe, expect, it } from "vitest";
import { normalTailCount } from "../../../../src/core/model/operations.js";
import { LogSketch } from "../../../../src/core/model/sketch.js";

describe("LogSketch.mergeLowest", () => {
  const from = (xs: readonly number[]): LogSketch => {
    const s = new LogSketch();
    for (const x of xs) s.add(x);
    return s;
  };

  it.each([
    { n: 0, count: 0, max: Number.NaN },
    { n: -3, count: 0, max: Number.NaN },
    { n: 2.9, count: 2, max: 20 },
    { n: 3, count: 3, max: 40 },
    { n: 5, count: 5, max: 1_000 },
    { n: 50, count: 5, max: 1_000 },
  ])("adds the $n lowest values of the other sketch", ({ n, count, max }) => {
    const target = new LogSketch();
    target.mergeLowest(from([1_000, 10, 40, 20, 400]), n);
    expect(target.count).toBe(count);
    if (Number.isNaN(max)) expect(target.quantile(1)).toBeNaN();
    // Within the sketch's 2% relative accuracy of the n-th lowest value.
    else expect(Math.abs(target.quantile(1) - max) / max).toBeLessThan(0.021);
  });

  it("counts zeros first and splits a bin where n ends", () => {
    const target = from([5]);
    target.mergeLowest(from([0, 0, 7, 7, 7, 90]), 4);
    expect(target.count).toBe(5);
    // 5, 0, 0 and two of the three 7s: the 90 stays out.
    expect(target.quantile(1)).toBeLessThan(8);
    expect(target.quantile(0)).toBe(0);
  });
});

describe("LogSketch.mergeThinned", () => {
  const from = (xs: readonly number[]): LogSketch => {
    const s = new LogSketch();
    for (const x of xs) s.add(x);
    return s;
  };

  it.each([
    { n: 0, count: 0 },
    { n: -1, count: 0 },
    { n: 100.7, count: 100 },
    { n: 250, count: 250 },
    { n: 1_000, count: 1_000 },
    { n: 5_000, count: 1_000 },
  ])("adds $n values of 1,000, in the other sketch's proportions", ({ n, count }) => {
    // 0 (20 of them) and 1..980 ms.
    const other = from(Array.from({ length: 1_000 }, (_, i) => (i < 20 ? 0 : i - 19)));
    const target = new LogSketch();
    target.mergeThinned(other, n);
    expect(target.count).toBe(count);
    if (count === 0) return;
    // Every quantile of the thinned copy within a bin (2%) and a rounding step of the original's.
    for (const q of [0.1, 0.5, 0.9, 0.99, 1]) {
      const want = other.quantile(q);
      const got = target.quantile(q);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(0.021 * want + 1_000 / count + 1);
    }
  });

  it("keeps the slowest values when thinning, unlike the lowest n", () => {
    const other = from(Array.from({ length: 200 }, (_, i) => 500 + i * 2.5));
    const thinned = new LogSketch();
    thinned.mergeThinned(other, 50);
    const lowest = new LogSketch();
    lowest.mergeLowest(other, 50);
    expect(thinned.quantile(1)).toBeGreaterThan(950);
    expect(lowest.quantile(1)).toBeLessThan(630);
  });
});

describe("normalTailCount", () => {
  const policy = { tailShare: 0.05 };
  it.each([
    // 950 unflagged are 95% of normal traffic: its tail is 50 of the flagged, the rest the incident.
    { scored: 1_200, flagged: 250, tail: 50 },
    // Fewer flagged than the normal tail: all of them.
    { scored: 1_000, flagged: 30, tail: 30 },
    // Every trace flagged: no normal traffic to measure a tail against.
    { scored: 400, flagged: 400, tail: 0 },
    { scored: 0, flagged: 0, tail: 0 },
  ])("$flagged of $scored flagged: $tail learned as the normal tail", ({ scored, flagged, tail }) => {
    expect(normalTailCount(scored, flagged, policy)).toBe(tail);
  });

  it("takes every flagged trace when the whole of traffic is the tail", () => {
    expect(normalTailCount(100, 60, { tailShare: 1 })).toBe(60);
  });
});
