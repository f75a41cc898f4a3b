import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/core/clock.js";
import { allowedTail, incidentBuckets, type HoldBackPolicy } from "../../../../src/core/model/hold-back.js";
import { RollingWindow } from "../../../../src/core/model/window.js";
import { features } from "./helpers.js";

const HOUR = 3_600_000;
const POLICY: HoldBackPolicy = { tailShare: 0.05 };

/** One bucket of `n` traces of one group: the first `flagged` are flagged, slow and on a new edge. */
function bucket(w: RollingWindow, n: number, flagged: number, startMs = 0, unscored = false): void {
  for (let i = 0; i < n; i++) {
    const f = i < flagged;
    w.observe(
      features({
        startTimeMs: startMs + i,
        total_duration: f ? 1000 : 100 + (i % 10),
        max_span_duration: f ? 900 : 90,
        edges: f ? ["gw->a", "a->rare"] : ["gw->a"],
      }),
      unscored ? "unscored" : f ? "flagged" : "normal",
    );
  }
}

function window(durationsPerGroup = 10_000): RollingWindow {
  return new RollingWindow({
    clock: new ManualClock(0),
    windowMs: 4 * HOUR,
    buckets: 4,
    sampleRate: 1,
    durationsPerGroup,
  });
}

describe("incident judgment", () => {
  const b = (scored: number, flagged: number) => ({ scored, flagged });
  it.each([
    { case: "no policy", buckets: [b(1000, 900)], policy: undefined, incident: [false] },
    { case: "normal tail", buckets: [b(1000, 50), b(1000, 85)], policy: POLICY, incident: [false, false] },
    {
      case: "no margin",
      buckets: [b(1000, 50), b(1000, 85)],
      policy: { ...POLICY, margin: 0 },
      incident: [false, true],
    },
    {
      case: "one incident bucket",
      buckets: [b(1000, 50), b(1000, 200)],
      policy: POLICY,
      incident: [false, true],
    },
    // One flagged trace in a quiet bucket is pooled with its neighbours: normal.
    {
      case: "quiet bucket",
      buckets: [b(40, 2), b(6, 1), b(40, 2)],
      policy: POLICY,
      incident: [false, false, false],
    },
    // A slow incident spread over small buckets: each alone looks normal, pooled it does not.
    {
      case: "spread incident",
      buckets: [b(25, 1), b(25, 5), b(25, 5), b(25, 5), b(25, 1)],
      policy: POLICY,
      incident: [true, true, true, true, true],
    },
    {
      case: "spread incident, no pooling",
      buckets: [b(25, 1), b(25, 5), b(25, 5), b(25, 5), b(25, 1)],
      policy: { ...POLICY, minScored: 1 },
      incident: [false, false, false, false, false],
    },
    { case: "warm-up only", buckets: [b(0, 0), b(0, 0)], policy: POLICY, incident: [false, false] },
  ])("$case: incident $incident", ({ buckets, policy, incident }) => {
    expect(incidentBuckets(buckets, policy)).toEqual(incident);
  });
});

describe("rolling window hold-back", () => {
  it.each([
    { allowed: 0, scored: 0, tailShare: 0.05, margin: 0.25, slackSd: 3 },
    { allowed: 62.5 + 3 * Math.sqrt(62.5 * 0.9375), scored: 1000, tailShare: 0.05, margin: 0.25, slackSd: 3 },
    { allowed: 50, scored: 1000, tailShare: 0.05, margin: 0, slackSd: 0 },
    { allowed: 20 + 2 * Math.sqrt(19.6), scored: 1000, tailShare: 0.01, margin: 1, slackSd: 2 },
  ])("allows $allowed flagged traces of $scored at tail $tailShare × (1 + $margin) + $slackSd sd", (c) => {
    expect(allowedTail(c.scored, c)).toBeCloseTo(c.allowed, 9);
  });

  it.each([
    { case: "normal tail", n: 1000, flagged: 50, unscored: false, samples: 1000, slow: 50, rare: true },
    {
      case: "within margin and 3 sd",
      n: 1000,
      flagged: 85,
      unscored: false,
      samples: 1000,
      slow: 85,
      rare: true,
    },
    { case: "incident", n: 1000, flagged: 86, unscored: false, samples: 914, slow: 0, rare: false },
    { case: "large incident", n: 1000, flagged: 600, unscored: false, samples: 400, slow: 0, rare: false },
    {
      case: "warm-up (no model)",
      n: 1000,
      flagged: 600,
      unscored: true,
      samples: 1000,
      slow: 600,
      rare: true,
    },
  ])(
    "$case: $flagged flagged of $n gives $samples samples, $slow flagged durations, rare edge $rare",
    ({ n, flagged, unscored, samples, slow, rare }) => {
      const w = window();
      bucket(w, n, flagged, 0, unscored);
      const set = w.snapshot(POLICY);
      expect(set.groupIndex.length).toBe(samples);
      const d = set.durations.get(features().group_key)!;
      expect(d.total.length).toBe(n - flagged + slow);
      expect(Array.from(d.total).filter((x) => x === 1000).length).toBe(slow);
      expect(set.edges.includes("a->rare")).toBe(rare);
      expect(set.heldBack).toBe(samples === n ? 0 : flagged);
      // Without a policy every trace is learned.
      expect(w.snapshot().groupIndex.length).toBe(n);
    },
  );

  it("judges each bucket on its own: only the incident bucket's flagged traces are held back", () => {
    const w = window();
    bucket(w, 1000, 50, 0);
    bucket(w, 1000, 300, HOUR);
    const set = w.snapshot(POLICY);
    expect(set.groupIndex.length).toBe(1000 + 700);
    expect(set.heldBack).toBe(300);
    expect(Array.from(set.durations.get(features().group_key)!.total).filter((x) => x === 1000).length).toBe(
      50,
    );
  });

  it("adds flagged durations in proportion to their share when the group's reservoir is full", () => {
    // 40 buckets of 2,000 traces, 5% flagged; 64 unflagged durations per bucket and group.
    const w = new RollingWindow({
      clock: new ManualClock(0),
      windowMs: 40 * HOUR,
      buckets: 40,
      sampleRate: 0,
      durationsPerGroup: 64,
    });
    for (let b = 0; b < 40; b++) bucket(w, 2000, 100, b * HOUR);
    const total = Array.from(w.snapshot(POLICY).durations.get(features().group_key)!.total);
    const slow = total.filter((x) => x === 1000).length;
    expect(total.length - slow).toBe(40 * 64);
    // Expected 40 × 64 × 100 / 1900 ≈ 134.7, rounded at random per bucket.
    expect(slow).toBeGreaterThanOrEqual(120);
    expect(slow).toBeLessThanOrEqual(150);
  });
});
