import { DDSketch } from "@datadog/sketches-js";
import { describe, expect, it } from "vitest";
import { LogSketch } from "../../../../src/core/model/sketch.js";
import { Prng } from "../../../../src/core/model/prng.js";

/** Exact lower-rank quantile, DDSketch's convention: the value at rank floor(q·(n − 1)). */
function exact(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))] as number;
}

function values(kind: string, n: number, seed: number): Float64Array {
  const p = new Prng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = p.next();
    out[i] =
      kind === "uniform"
        ? 1 + 999 * u
        : kind === "lognormal"
          ? Math.exp(3 + 1.2 * Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * p.next()))
          : kind === "pareto"
            ? 5 / Math.pow(1 - u, 1 / 1.5)
            : kind === "bimodal"
              ? (u < 0.93 ? 20 : 1500) * (1 + 0.2 * p.next())
              : 0.5 + 1e5 * u * u * u * u; // "wide": 0.5 ms to 100 s
  }
  return out;
}

const QUANTILES = [0, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1];

describe("LogSketch", () => {
  it.each([
    ["uniform", 0.02],
    ["lognormal", 0.02],
    ["pareto", 0.01],
    ["bimodal", 0.02],
    ["wide", 0.05],
  ])("%s values: every quantile within the relative accuracy %s of the exact one", (kind, alpha) => {
    const xs = values(kind, 20_000, 7);
    const s = new LogSketch(alpha);
    for (const x of xs) s.add(x);
    const sorted = Float64Array.from(xs).sort();
    expect(s.count).toBe(xs.length);
    for (const q of QUANTILES) {
      const want = exact(sorted, q);
      expect(Math.abs(s.quantile(q) - want)).toBeLessThanOrEqual(alpha * want * (1 + 1e-9));
    }
  });

  it.each(["lognormal", "pareto", "bimodal"])(
    "%s values: agrees with the reference DDSketch at the same accuracy",
    (kind) => {
      const xs = values(kind, 10_000, 3);
      const mine = new LogSketch(0.01);
      const ref = new DDSketch({ relativeAccuracy: 0.01 });
      for (const x of xs) {
        mine.add(x);
        ref.accept(x);
      }
      for (const q of [0.5, 0.9, 0.99]) {
        const r = ref.getValueAtQuantile(q);
        expect(Math.abs(mine.quantile(q) - r)).toBeLessThanOrEqual(0.0201 * r);
      }
    },
  );

  it("merging sketches of parts equals the sketch of the whole", () => {
    const xs = values("lognormal", 9_000, 11);
    const whole = new LogSketch();
    const parts = [new LogSketch(), new LogSketch(), new LogSketch()];
    xs.forEach((x, i) => {
      whole.add(x);
      (parts[i % 3] as LogSketch).add(x);
    });
    const merged = new LogSketch();
    for (const p of parts) merged.merge(p);
    expect(merged.count).toBe(whole.count);
    for (const q of QUANTILES) expect(merged.quantile(q)).toBe(whole.quantile(q));
  });

  it("merging a sketch of disjoint range (lower, then higher) keeps both", () => {
    const a = new LogSketch();
    const b = new LogSketch();
    for (let i = 0; i < 99; i++) a.add(10);
    b.add(10_000);
    a.merge(b);
    expect(a.quantile(0.5)).toBeCloseTo(10, 0);
    expect(Math.abs(a.quantile(1) - 10_000)).toBeLessThanOrEqual(200);
    b.merge(a);
    expect(b.count).toBe(101);
  });

  it("zeros, negatives and NaN count as 0; an empty sketch answers NaN", () => {
    const s = new LogSketch();
    expect(s.quantile(0.5)).toBeNaN();
    s.add(0);
    s.add(-3);
    s.add(Number.NaN);
    s.add(100);
    expect(s.count).toBe(4);
    expect(s.quantile(0.5)).toBe(0);
    expect(Math.abs(s.quantile(1) - 100)).toBeLessThanOrEqual(2);
  });

  it("beyond maxBins the lowest bins collapse: upper quantiles keep their guarantee", () => {
    const s = new LogSketch(0.02, 64);
    const xs = values("wide", 5_000, 5);
    for (const x of xs) s.add(x);
    const sorted = Float64Array.from(xs).sort();
    for (const q of [0.9, 0.99, 1]) {
      const want = exact(sorted, q);
      expect(Math.abs(s.quantile(q) - want)).toBeLessThanOrEqual(0.02 * want * (1 + 1e-9));
    }
    expect(s.bytes).toBeLessThanOrEqual(64 * 4 + 48);
  });

  it("refuses to merge sketches of different accuracies", () => {
    expect(() => new LogSketch(0.01).merge(new LogSketch(0.02))).toThrow(RangeError);
  });
});

describe("LogSketch.addSizedLike", () => {
  it("holds what a sketch that had the same values added holds, only its storage sized ahead", () => {
    const p = new Prng(17);
    const draw = (kind: number) =>
      kind === 0 ? 0.5 + 1e5 * p.next() ** 4 : kind === 1 ? Math.exp(20 * p.next() - 8) : 1 + 50 * p.next();
    for (let round = 0; round < 300; round++) {
      // Small bin caps make collapsing common; `like` spans another series' range.
      const maxBins = round % 3 === 0 ? 16 : round % 3 === 1 ? 64 : 512;
      const kind = round % 5 === 0 ? 3 : round % 3;
      const like = new LogSketch(0.02, maxBins);
      for (let i = 0; i < 50; i++) like.add(draw(kind === 3 ? 0 : kind));
      const sized = new LogSketch(0.02, maxBins);
      const plain = new LogSketch(0.02, maxBins);
      const first = round % 7 === 0 ? 0 : draw(kind % 3);
      sized.addSizedLike(first, like);
      plain.add(first);
      for (let i = 0, n = Math.floor(p.next() * 200); i < n; i++) {
        const x = draw(p.next() < 0.8 ? kind % 3 : Math.floor(p.next() * 3));
        sized.add(x);
        plain.add(x);
      }
      expect(sized.count).toBe(plain.count);
      for (let q = 0; q <= 1; q += 0.01) expect(sized.quantile(q)).toBe(plain.quantile(q));
      const a = new LogSketch(0.02, maxBins);
      const b = new LogSketch(0.02, maxBins);
      a.merge(sized);
      b.merge(plain);
      const lowA = new LogSketch(0.02, maxBins);
      const lowB = new LogSketch(0.02, maxBins);
      lowA.mergeLowest(sized, plain.count / 3);
      lowB.mergeLowest(plain, plain.count / 3);
      for (const q of [0, 0.25, 0.5, 0.75, 0.99, 1]) {
        expect(a.quantile(q)).toBe(b.quantile(q));
        expect(lowA.quantile(q)).toBe(lowB.quantile(q));
      }
    }
  });
});
