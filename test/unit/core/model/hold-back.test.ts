import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/core/clock.js";
import {
  benjaminiHochberg,
  binomialUpperTail,
  heldBackTypes,
  judgeCells,
  logGamma,
  type FlagCounts,
  type HoldBackPolicy,
} from "../../../../src/core/model/hold-back.js";
import { RollingWindow } from "../../../../src/core/model/window.js";
import { features } from "./helpers.js";

const POLICY: HoldBackPolicy = { tailShare: 0.05, perType: true };
const WHOLE: HoldBackPolicy = { tailShare: 0.05 };
const c = (scored: number, flagged: number): FlagCounts => ({ scored, flagged });
/** Buckets in time order from per-type columns: { type: [counts per bucket] }. */
function buckets(types: Record<string, FlagCounts[]>): Map<string, FlagCounts>[] {
  const n = Math.max(...Object.values(types).map((v) => v.length));
  return Array.from({ length: n }, (_, i) => {
    const m = new Map<string, FlagCounts>();
    for (const [t, v] of Object.entries(types)) if (v[i] !== undefined) m.set(t, v[i]);
    return m;
  });
}
const steady = (n: number, scored: number, flagged: number) =>
  Array.from({ length: n }, () => c(scored, flagged));

interface PolicyCase {
  readonly case: string;
  readonly types: Record<string, FlagCounts[]>;
  readonly held: string[][];
}

describe("learning policy per request type", () => {
  it.each<PolicyCase>([
    {
      case: "normal tail of every type: all learned",
      types: { fast: steady(6, 1000, 50), slow: steady(6, 100, 5) },
      held: [[], [], [], [], [], []],
    },
    {
      case: "a type that is always slow (always flagged) is learned as such",
      types: { fast: steady(6, 1000, 50), report: steady(6, 50, 50) },
      held: [[], [], [], [], [], []],
    },
    {
      case: "a type flagged at a steady 30% is learned",
      types: { fast: steady(6, 1000, 50), feed: steady(6, 200, 60) },
      held: [[], [], [], [], [], []],
    },
    {
      case: "an incident within one type is held back, the other types and buckets learned",
      types: {
        fast: steady(6, 1000, 50),
        checkout: [...steady(5, 200, 10), c(200, 120)],
        report: steady(6, 50, 50),
      },
      held: [[], [], [], [], [], ["checkout"]],
    },
    {
      case: "an incident of an always-slow type shows only against its own history: not when it stays flagged",
      types: { report: [...steady(5, 50, 50), c(50, 50)] },
      held: [[], [], [], [], [], []],
    },
    {
      case: "an incident on a type whose history is 30% flagged: 90% is held back",
      types: { feed: [...steady(5, 200, 60), c(200, 180)] },
      held: [[], [], [], [], [], ["feed"]],
    },
    {
      case: "small counts: one flagged trace in a quiet bucket is pooled with its neighbours",
      types: { rare: [c(3, 0), c(2, 0), c(3, 1), c(2, 0), c(3, 0), c(2, 0)] },
      held: [[], [], [], [], [], []],
    },
    {
      case: "small counts: a slow incident spread thin shows once pooled",
      types: { rare: [...steady(5, 10, 0), c(10, 9), c(10, 9), c(10, 8), ...steady(6, 10, 1)] },
      // Pooled to 50 scored traces, the cells around the incident share it (bucket 8 too).
      held: [[], [], [], [], [], ["rare"], ["rare"], ["rare"], ["rare"], [], [], [], [], []],
    },
    {
      case: "a type seen in fewer than 3 buckets is expected at the tail share",
      types: { fast: steady(2, 1000, 50), newtype: [c(100, 90), c(100, 90)] },
      held: [["newtype"], ["newtype"]],
    },
    {
      case: "warm-up only (nothing scored): nothing judged",
      types: { fast: steady(2, 0, 0) },
      held: [[], []],
    },
  ])("$case", ({ types, held }) => {
    const got = heldBackTypes(buckets(types), POLICY).map((s) => [...s].sort());
    expect(got).toEqual(held);
  });

  it("by default judges whole buckets: an always-flagged type makes its buckets incidents", () => {
    const b = buckets({ fast: steady(6, 1000, 50), report: steady(6, 50, 50) });
    expect(heldBackTypes(b, WHOLE).map((s) => [...s].sort())).toEqual(
      steady(6, 0, 0).map(() => ["fast", "report"]),
    );
  });

  it("without a policy nothing is held back", () => {
    expect(heldBackTypes(buckets({ a: [c(100, 100)] }), undefined)).toEqual([new Set()]);
  });

  it("reports each judged cell with its pooled counts, expected share and p-value", () => {
    const cells = judgeCells(buckets({ feed: [...steady(5, 200, 60), c(200, 180)] }), POLICY);
    expect(cells).toHaveLength(6);
    const [, type, j] = cells[5]!;
    expect(type).toBe("feed");
    expect(j).toMatchObject({ scored: 200, flagged: 180, incident: true });
    expect(j.expected).toBeCloseTo(0.3 * 1.25, 12);
    expect(j.pValue).toBeLessThan(1e-20);
  });
});

describe("binomial upper tail", () => {
  it.each([
    { k: 0, n: 10, p: 0.3, want: 1 },
    { k: 11, n: 10, p: 0.3, want: 0 },
    { k: 10, n: 10, p: 0.5, want: 1 / 1024 },
    { k: 8, n: 10, p: 0.5, want: 56 / 1024 },
    { k: 3, n: 10, p: 0.5, want: 1 - 56 / 1024 },
    { k: 1, n: 5, p: 0.2, want: 1 - 0.8 ** 5 },
    // Normal approximation check: mean 62.5, sd 7.65; 88 is 3.3 sd above.
    { k: 88, n: 1000, p: 0.0625, want: 9.386e-4 },
  ])("P(X ≥ $k | n $n, p $p) = $want", ({ k, n, p, want }) => {
    expect(binomialUpperTail(k, n, p)).toBeCloseTo(want, want < 0.01 ? 6 : 10);
  });

  it("ln Γ matches factorials", () => {
    expect(logGamma(10)).toBeCloseTo(Math.log(362_880), 10);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 10);
  });

  it("Benjamini–Hochberg rejects the step-up set", () => {
    expect(benjaminiHochberg([0.001, 0.008, 0.039, 0.041, 0.5], 0.05)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(benjaminiHochberg([0.01, 0.02, 0.03], 0.05)).toEqual([true, true, true]);
  });
});

describe("rolling window: per-type hold-back", () => {
  const HOUR = 3_600_000;
  function run(incidentFlaggedShare: number) {
    const w = new RollingWindow({ clock: new ManualClock(0), windowMs: 6 * HOUR, buckets: 6, sampleRate: 1 });
    for (let b = 0; b < 6; b++) {
      for (let i = 0; i < 400; i++) {
        const t = b * HOUR + i;
        // fast: 5% tail; report: always slow, always flagged, on its own edge.
        w.observe(features({ startTimeMs: t, group_key: "fast" }), i % 20 === 0 ? "flagged" : "normal");
        if (i % 8 === 0)
          w.observe(
            features({ startTimeMs: t, group_key: "report", total_duration: 2000, edges: ["gw->report"] }),
            "flagged",
          );
        const checkoutFlagged = b === 5 ? i < 400 * incidentFlaggedShare : i % 20 === 0;
        w.observe(
          features({
            startTimeMs: t,
            group_key: "checkout",
            edges: checkoutFlagged && b === 5 ? ["gw->checkout", "checkout->new"] : ["gw->checkout"],
          }),
          checkoutFlagged ? "flagged" : "normal",
        );
      }
    }
    return w.snapshot(POLICY);
  }

  it("learns the always-slow type and its edge, holds back only the incident type's flagged traces", () => {
    const set = run(0.5);
    expect(set.heldBack).toBe(200);
    expect(set.groupIndex.length).toBe(6 * (400 + 50 + 400) - 200);
    expect(set.edges).toContain("gw->report");
    expect(set.edges).not.toContain("checkout->new");
    expect(set.durations.get("report")!.total.length).toBeGreaterThan(0);
  });

  it("learns everything when no type has an incident", () => {
    const set = run(0.05);
    expect(set.heldBack).toBe(0);
    expect(set.groupIndex.length).toBe(6 * 850);
  });
});
