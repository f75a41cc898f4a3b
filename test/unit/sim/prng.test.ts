import { describe, expect, it } from "vitest";
import { SPAN_ID_RE, TRACE_ID_RE } from "../../../src/domain/span.js";
import { deriveSeed, Prng } from "../../../src/sim/prng.js";

const draw = (seed: number, n: number): number[] => {
  const rng = new Prng(seed);
  return Array.from({ length: n }, () => rng.uint32());
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

describe("Prng", () => {
  it("yields the same stream for the same seed and a different one for another seed", () => {
    expect(draw(42, 100)).toEqual(draw(42, 100));
    expect(draw(42, 100)).not.toEqual(draw(43, 100));
  });

  it.each([
    ["next", (r: Prng) => r.next(), 0.5, 0.02],
    ["uniform(10, 20)", (r: Prng) => r.uniform(10, 20), 15, 0.2],
    ["exponential(mean 4)", (r: Prng) => r.exponential(4), 4, 0.15],
    ["normal", (r: Prng) => r.normal(), 0, 0.03],
  ])("draws %s with the expected mean", (_name, fn, mean, tolerance) => {
    const rng = new Prng(7);
    let sum = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) sum += fn(rng);
    expect(Math.abs(sum / n - mean)).toBeLessThan(tolerance);
  });

  it("draws log-normal values around the requested median", () => {
    const rng = new Prng(3);
    const xs = Array.from({ length: 20_000 }, () => rng.logNormal(120, 0.35));
    expect(median(xs)).toBeGreaterThan(115);
    expect(median(xs)).toBeLessThan(125);
  });

  it("keeps int() within its inclusive bounds and reaches both ends", () => {
    const rng = new Prng(11);
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) seen.add(rng.int(1, 5));
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("produces valid lowercase hex trace and span ids", () => {
    const rng = new Prng(5);
    for (let i = 0; i < 1_000; i++) {
      expect(rng.traceId()).toMatch(TRACE_ID_RE);
      expect(rng.spanId()).toMatch(SPAN_ID_RE);
    }
  });

  it("derives distinct sub-seeds for distinct parts", () => {
    const seeds = new Set<number>();
    for (let i = 0; i < 1_000; i++) seeds.add(deriveSeed(1, i, 2));
    expect(seeds.size).toBe(1_000);
    expect(deriveSeed(1, 5)).toBe(deriveSeed(1, 5));
  });
});
