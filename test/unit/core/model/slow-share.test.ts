import { describe, expect, it } from "vitest";
import type { Span, SpanKind } from "../../../../src/domain/span.js";
import { extractTrace } from "../../../../src/core/features/extract.js";
import type { SpanProfile } from "../../../../src/core/features/span-profile.js";
import { wilsonLower, wilsonUpper } from "../../../../src/core/model/call-baselines.js";
import { scoreSpans } from "../../../../src/core/model/op-baselines.js";
import { SlowShare } from "../../../../src/core/model/slow-share.js";
import { baselinesFromProfile } from "./helpers.js";

describe("wilsonLower", () => {
  it.each([
    // [k, n, expected lower bound at z = 1.645]
    [0, 0, 0],
    [0, 100, 0],
    [1, 1, 1 / (1 + 1.645 ** 2)],
    [3, 3, 3 / (3 + 1.645 ** 2)],
    [100, 100, 100 / (100 + 1.645 ** 2)],
  ])("%i of %i: %f", (k, n, want) => {
    expect(wilsonLower(k, n)).toBeCloseTo(want, 9);
  });

  it("brackets the observed share with wilsonUpper (seeded random counts)", () => {
    let s = 7;
    const rnd = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
    for (let i = 0; i < 2_000; i++) {
      const n = 1 + Math.floor(rnd() * 5_000);
      const k = Math.floor(rnd() * (n + 1));
      const lo = wilsonLower(k, n);
      const hi = wilsonUpper(k, n);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(lo).toBeLessThanOrEqual(k / n + 1e-12);
      expect(hi).toBeGreaterThanOrEqual(k / n - 1e-12);
      expect(hi).toBeLessThanOrEqual(1);
    }
  });
});

/** Records `spans` spans of `op` evenly over [fromMs, toMs), every `every`-th one slow. */
function feed(
  share: SlowShare,
  op: string,
  spans: number,
  every: number,
  fromMs: number,
  toMs: number,
): void {
  for (let i = 0; i < spans; i++)
    share.record(op, every > 0 && i % every === 0, fromMs + ((toMs - fromMs) * i) / spans);
}

describe("SlowShare", () => {
  it.each([
    // [what, spans, every n-th slow, degraded]
    ["a busy operation with 1% slow spans", 5_000, 100, false],
    ["a busy operation with 5% slow spans (under ten times 1%)", 5_000, 20, false],
    ["a busy operation with half its spans slow", 5_000, 2, true],
    ["20 spans, a third slow", 20, 3, true],
    ["two slow spans of two (fewer than three)", 2, 1, false],
    ["three slow spans of three", 3, 1, true],
    ["no slow span", 500, 0, false],
  ])("%s: degraded %s", (_what, spans, every, want) => {
    const share = new SlowShare();
    feed(share, "cart|SERVER|GetCart", spans, every, 0, 55_000);
    expect(share.degraded("cart|SERVER|GetCart", 55_000, 0.01)).toBe(want);
  });

  it("judges against the share the baseline predicts: a p99 from 20 spans is exceeded by 1 in 21", () => {
    const share = new SlowShare();
    feed(share, "op", 100, 5, 0, 50_000); // 20% slow
    expect(share.degraded("op", 50_000, 0.01)).toBe(true);
    expect(share.degraded("op", 50_000, 1 / 21)).toBe(false);
  });

  it("forgets spans older than its window, slice by slice", () => {
    const share = new SlowShare({ windowMs: 60_000, slices: 6 });
    feed(share, "op", 50, 1, 0, 10_000); // all slow, in the first slice
    expect(share.counts("op", 59_999)).toEqual({ spans: 50, slow: 50 });
    expect(share.counts("op", 60_000)).toEqual({ spans: 0, slow: 0 });
    expect(share.degraded("op", 60_000, 0.01)).toBe(false);
    // A slice reused by a later span starts from zero.
    share.record("op", false, 61_000);
    expect(share.counts("op", 61_000)).toEqual({ spans: 1, slow: 0 });
    // A span older than the window is not counted.
    share.record("op", true, 1_000);
    expect(share.counts("op", 61_000)).toEqual({ spans: 1, slow: 0 });
  });

  it("keeps each operation apart", () => {
    const share = new SlowShare();
    feed(share, "a", 100, 1, 0, 10_000);
    feed(share, "b", 100, 0, 0, 10_000);
    expect(share.degraded("a", 10_000, 0.01)).toBe(true);
    expect(share.degraded("b", 10_000, 0.01)).toBe(false);
    expect(share.degraded("never-seen", 10_000, 0.01)).toBe(false);
  });

  it("tracks a bounded number of operations whatever the input, dropping stale ones first", () => {
    const share = new SlowShare({ maxOperations: 100 });
    feed(share, "busy", 100, 1, 0, 1_000);
    for (let i = 0; i < 10_000; i++) share.record(`op-${i}`, true, 120_000 + i);
    expect(share.size).toBeLessThanOrEqual(100);
    // The busy operation's spans were older than the window: it went first, and its counts with it.
    expect(share.counts("busy", 130_000)).toEqual({ spans: 0, slow: 0 });
    expect(share.counts("op-9999", 130_000)).toEqual({ spans: 1, slow: 1 });
  });
});

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const T0 = 1_700_000_000_000_000_000n;

/** frontend → cart → its datastore client span; [start, end] ms of the three spans. */
function trace(times: readonly (readonly [number, number])[]): SpanProfile {
  const rows: readonly (readonly [number, number | null, string, SpanKind])[] = [
    [1, null, "frontend", "SERVER"],
    [2, 1, "cart", "SERVER"],
    [3, 2, "cart", "CLIENT"],
  ];
  const hex = (n: number): string => n.toString(16).padStart(16, "0");
  const spans: Span[] = rows.map(([id, parent, service, kind], i) => {
    const [start, end] = times[i] as readonly [number, number];
    return {
      traceId: TRACE,
      spanId: hex(id),
      parentSpanId: parent === null ? null : hex(parent),
      service,
      name: `${service}.${kind.toLowerCase()}`,
      kind,
      startTimeUnixNano: T0 + BigInt(start * 1000) * 1000n,
      endTimeUnixNano: T0 + BigInt(end * 1000) * 1000n,
      status: "OK",
      attributes: {},
    };
  });
  const r = extractTrace({ traceId: TRACE, spans, reason: "root", completedAtMs: 0 }, { profile: true });
  return r.profile as SpanProfile;
}

// Normal: the datastore call takes 10 ms; slow: 100 ms (ten times its p99). Its callers wait on
// it, but their own time does not change.
const NORMAL = trace([
  [0, 30],
  [5, 25],
  [10, 20],
]);
const SLOW = trace([
  [0, 120],
  [5, 115],
  [10, 110],
]);

describe("scoreSpans with live shares: degraded_spans", () => {
  const ops = baselinesFromProfile(NORMAL);

  it("one slow span of a busy operation is no degraded operation", () => {
    const share = new SlowShare();
    for (let t = 0; t < 50_000; t += 100) scoreSpans(NORMAL, ops, { live: { share, atMs: t } });
    const s = scoreSpans(SLOW, ops, { live: { share, atMs: 50_000 } });
    expect(s.degraded_spans).toBe(0);
    expect(s.spans_over_p99).toBe(3);
  });

  it("counts the slow datastore spans once many of them are slow, and only them (not the callers waiting)", () => {
    const share = new SlowShare();
    const got: number[] = [];
    for (let i = 0; i < 6; i++)
      got.push(scoreSpans(SLOW, ops, { live: { share, atMs: i * 1_000 } }).degraded_spans);
    // The third slow span is the first that can count (minSlow); then each slow trace does.
    expect(got).toEqual([0, 0, 1, 1, 1, 1]);
    const last = scoreSpans(SLOW, ops, { live: { share, atMs: 6_000 } });
    expect(last.degraded_share).toBeGreaterThan(10);
    // A normal trace at the same time has no slow span to count.
    expect(scoreSpans(NORMAL, ops, { live: { share, atMs: 6_000 } }).degraded_spans).toBe(0);
  });

  it("counts spans found by operation id as by key, also after operations were dropped", () => {
    const byId = new SlowShare({ maxOperations: 2 });
    const byKey = new SlowShare({ maxOperations: 2 });
    for (let t = 0; t < 5; t++) {
      for (let i = 0; i < SLOW.n; i++) {
        byId.recordSpan(SLOW, i, i === 2, t * 70_000);
        byKey.record(SLOW.op[i] as string, i === 2, t * 70_000);
      }
    }
    expect(byId.size).toBe(byKey.size);
    for (let i = 0; i < SLOW.n; i++)
      expect(byId.counts(SLOW.op[i] as string, 280_000)).toEqual(byKey.counts(SLOW.op[i] as string, 280_000));
    expect(byId.counts(SLOW.op[2] as string, 280_000)).toEqual({ spans: 1, slow: 1 });
  });

  it("is 0 without live shares", () => {
    const s = scoreSpans(SLOW, ops);
    expect(s.degraded_spans).toBe(0);
    expect(s.degraded_share).toBe(0);
  });
});
