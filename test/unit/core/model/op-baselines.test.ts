import { describe, expect, it } from "vitest";
import type { Span, SpanKind } from "../../../../src/domain/span.js";
import { extractTrace } from "../../../../src/core/features/extract.js";
import type { SpanProfile } from "../../../../src/core/features/span-profile.js";
import { ManualClock } from "../../../../src/core/clock.js";
import {
  robustTypeP99,
  scoreSpans,
  TYPE_CHUNK_TRACES,
  type OperationStats,
} from "../../../../src/core/model/op-baselines.js";
import { OperationWindow, OVERFLOW_OPERATION } from "../../../../src/core/model/operations.js";
import { LogSketch } from "../../../../src/core/model/sketch.js";
import { baselinesFromProfile } from "./helpers.js";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const T0 = 1_700_000_000_000_000_000n;

/** [id, parent, service, kind, start ms, end ms]; the operation is `<service>.<kind>`. */
type Row = readonly [number, number | null, string, SpanKind, number, number];

function spans(rows: readonly Row[], offsetMs = 0): Span[] {
  const hex = (n: number): string => n.toString(16).padStart(16, "0");
  return rows.map(([id, parent, service, kind, start, end]) => ({
    traceId: TRACE,
    spanId: hex(id),
    parentSpanId: parent === null ? null : hex(parent),
    service,
    name: `${service}.${kind.toLowerCase()}`,
    kind,
    startTimeUnixNano: T0 + BigInt(Math.round((start + offsetMs) * 1000)) * 1000n,
    endTimeUnixNano: T0 + BigInt(Math.round((end + offsetMs) * 1000)) * 1000n,
    status: "OK",
    attributes: {},
  }));
}

function profile(rows: readonly Row[]): SpanProfile {
  const r = extractTrace(
    { traceId: TRACE, spans: spans(rows), reason: "root", completedAtMs: 0 },
    { profile: true },
  );
  return r.profile as SpanProfile;
}

/** Baselines learned from `normal` traces: each operation's p99 = its duration, self p99 = its self time. */
const baselinesOf = (rows: readonly Row[]): Map<string, OperationStats> =>
  baselinesFromProfile(profile(rows));

// frontend → checkout → cart (+ redis, an uninstrumented datastore reached by a client span).
const CHAIN: readonly (readonly [number, number | null, string, SpanKind])[] = [
  [1, null, "frontend", "SERVER"],
  [2, 1, "frontend", "CLIENT"],
  [3, 2, "checkout", "SERVER"],
  [4, 3, "checkout", "CLIENT"],
  [5, 4, "cart", "SERVER"],
  [6, 5, "cart", "CLIENT"],
];

type Times = readonly [number, number];

/** The chain's six spans with these [start ms, end ms], in the chain's order. */
function chain(times: readonly [Times, Times, Times, Times, Times, Times]): Row[] {
  return CHAIN.map(([id, parent, service, kind], i) => {
    const [start, end] = times[i] as Times;
    return [id, parent, service, kind, start, end];
  });
}

/** Every span's start and end times `k`. */
const scaled = (rows: readonly Row[], k: number): Row[] =>
  rows.map(([id, parent, service, kind, start, end]) => [id, parent, service, kind, start * k, end * k]);

const NORMAL = chain([
  [0, 100],
  [10, 90],
  [12, 88],
  [20, 80],
  [22, 78],
  [30, 70],
]);
// A slow datastore call made by cart's client span (no child): 240 ms instead of 40.
const SLOW_DATASTORE = chain([
  [0, 300],
  [10, 290],
  [12, 288],
  [20, 280],
  [22, 278],
  [30, 270],
]);

describe("span profile", () => {
  it("self time is the duration minus the union of the children (parallel children once)", () => {
    const p = profile([
      [1, null, "a", "SERVER", 0, 100],
      [2, 1, "b", "SERVER", 10, 50],
      [3, 1, "c", "SERVER", 30, 70],
      [4, 1, "d", "SERVER", 90, 120], // ends after its parent: clipped
    ]);
    // Children cover 10-70 and 90-100 (d clipped to its parent): 70 of the root's 100 ms.
    expect(Array.from(p.selfMs)).toEqual([30, 40, 40, 30]);
    expect(Array.from(p.callee)).toEqual([-1, -1, -1, -1]);
    // Critical path from the root's end: d (latest end), then c, then nothing before 30 but b's part.
    expect(Array.from(p.critical)).toEqual([1, 1, 1, 1]);
  });

  it("a leaf beside a same-service sibling that calls out does not own that time (async handler)", () => {
    const p = profile([
      [1, null, "gw", "SERVER", 0, 100],
      [2, 1, "gw", "INTERNAL", 1, 99], // wraps the request, no children
      [3, 1, "gw", "CLIENT", 2, 98],
      [4, 3, "svc", "SERVER", 5, 95],
    ]);
    expect(Array.from(p.selfMs)).toEqual([2, 2, 6, 90]);
  });

  it("a client span around one call into another service points at its callee", () => {
    const p = profile(NORMAL);
    expect(Array.from(p.callee)).toEqual([-1, 2, -1, 4, -1, -1]);
    expect(Array.from(p.selfMs)).toEqual([20, 4, 16, 4, 16, 40]);
  });
});

describe("scoreSpans: the culprit", () => {
  const base = baselinesOf(NORMAL);
  it.each<[string, Row[], string | null]>([
    ["a normal trace blames no one", NORMAL, null],
    [
      // Network delay on cart: checkout's client span grows by 40 ms, cart's server span does not.
      "network delay on the callee: the caller's client span is slow, the callee's span is not",
      chain([
        [0, 140],
        [10, 130],
        [12, 128],
        [20, 120],
        [42, 98],
        [50, 90],
      ]),
      "cart",
    ],
    [
      // Network delay on checkout: the call into it and its call out are both slow.
      "network delay on a service in the middle: its calls in and out are slow",
      chain([
        [0, 180],
        [10, 170],
        [30, 150],
        [38, 142],
        [60, 116],
        [68, 108],
      ]),
      "checkout",
    ],
    [
      "CPU contention: a service's own spans (self time) are slow",
      chain([
        [0, 180],
        [10, 170],
        [12, 168],
        [100, 160],
        [102, 158],
        [110, 150],
      ]),
      "checkout",
    ],
    [
      // The datastore call is a client span without a child: its time is the calling service's.
      "a slow datastore call: the service that makes it, not a caller up the chain",
      SLOW_DATASTORE,
      "cart",
    ],
  ])("%s", (_name, rows, culprit) => {
    const s = scoreSpans(profile(rows), base);
    expect(s.culprit).toBe(culprit);
    if (culprit === null) {
      expect(s.top_spans).toEqual([]);
      expect(s.culprit_excess_ms).toBe(0);
    } else {
      expect(s.top_spans.length).toBeGreaterThan(0);
      expect(s.culprit_excess_ms).toBeGreaterThan(0);
    }
  });

  it("features: the largest ratio, the excess on the critical path and the spans over p99", () => {
    const s = scoreSpans(profile(SLOW_DATASTORE), base);
    // cart's client span: 240 ms against 40 ms (ratio 6); its self time 240 against 40: 200 ms over.
    expect(s.max_span_excess).toBeCloseTo(6, 9);
    expect(s.critical_path_excess_ms).toBeCloseTo(200, 9);
    // Every span is longer than its p99 (each contains the slow call).
    expect(s.spans_over_p99).toBe(6);
    expect(s.top_spans[0]).toMatchObject({
      service: "cart",
      operation: "cart|CLIENT|cart.client",
      excessMs: 200,
    });
  });

  it("operations with fewer spans than the minimum are not scored", () => {
    const thin = new Map([...base].map(([k, v]) => [k, { ...v, count: 5 }]));
    const s = scoreSpans(profile(scaled(NORMAL, 3)), thin);
    expect(s).toMatchObject({ max_span_excess: 0, spans_over_p99: 0, culprit: null });
  });
});

function sketchOf(values: readonly number[]): LogSketch {
  const s = new LogSketch();
  for (const v of values) s.add(v);
  return s;
}

const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
const OPS = new Map<string, OperationStats>([
  ["cart|SERVER|get", { count: 500, p50: 40, p99: 90, selfP50: 10, selfP99: 20 }],
  ["ads|SERVER|ad", { count: 500, p50: 20, p99: 60, selfP50: 5, selfP99: 10 }],
  ["gw|SERVER|/*", { count: 5_000, p50: 300, p99: 900, selfP50: 1, selfP99: 2 }],
]);

describe("robustTypeP99: shrinkage toward the type's own operations", () => {
  // Own p99 of 1..100 ms uniform-ish: about 99.
  const own = (n: number): LogSketch[] => [sketchOf(range(n, (i) => 1 + ((i * 37) % 100)))];
  it.each<[string, LogSketch[], string[], string | undefined, { p99: number; prior: number | null }]>([
    [
      "no traces: the prior (sum of the direct operations' p99s)",
      [],
      ["ads|SERVER|ad", "cart|SERVER|get"],
      "gw|SERVER|/*",
      { p99: 150, prior: 150 },
    ],
    ["no direct operations: the root's operation", [], [], "gw|SERVER|/*", { p99: 900, prior: 900 }],
    [
      "k traces: halfway between own and prior",
      own(30),
      ["cart|SERVER|get"],
      undefined,
      { p99: (99 + 90) / 2, prior: 90 },
    ],
    [
      "many traces: close to its own p99",
      own(3000),
      ["ads|SERVER|ad"],
      undefined,
      { p99: (3000 * 99 + 30 * 60) / 3030, prior: 60 },
    ],
    // 10 traces: the p99 (lower rank) is the 9th of 1, 12, 23, …, 86, 97.
    [
      "no known operations: its own p99 alone",
      own(10),
      ["unknown|SERVER|x"],
      undefined,
      { p99: 86, prior: null },
    ],
  ])("%s", (_name, sketches, typeOps, rootOp, want) => {
    const t = robustTypeP99(sketches, typeOps, OPS, 30, rootOp);
    expect(t.priorP99).toBe(want.prior);
    expect(Math.abs(t.p99 - want.p99)).toBeLessThanOrEqual(0.02 * want.p99 + 1e-9);
  });

  it("an incident in a minority of time chunks does not raise it (median of chunk p99s)", () => {
    // Five time buckets of two chunks' traces each.
    const n = 2 * TYPE_CHUNK_TRACES;
    const normal = (): LogSketch => sketchOf(range(n, (i) => 10 + (i % 20)));
    const incident = sketchOf(range(n, (i) => 500 + i));
    const clean = robustTypeP99([normal(), normal(), normal(), normal(), normal()], [], OPS, 30);
    const hit = robustTypeP99([normal(), normal(), incident, normal(), normal()], [], OPS, 30);
    expect(hit.ownP99).toBe(clean.ownP99);
    // Pooled, the same traces would give the incident's level.
    const pooled = sketchOf([]);
    for (const s of [normal(), normal(), incident, normal(), normal()]) pooled.merge(s);
    expect(pooled.quantile(0.99)).toBeGreaterThan(500);
    expect(hit.ownP99 as number).toBeLessThan(31);
  });
});

describe("OperationWindow", () => {
  const features = (startMs: number, total: number, group = "checkout") =>
    ({
      traceId: TRACE,
      startTimeMs: startMs,
      total_duration: total,
      span_count: 6,
      error_count: 0,
      service_hop_count: 2,
      max_span_duration: total,
      affected_services: 0,
      erroring_services: [],
      edges: [],
      root_service: "frontend",
      root_operation: "frontend.server",
      group_key: group,
    }) as const;

  /** Traces per 10 s bucket: one time chunk of the type's p99. */
  const B = TYPE_CHUNK_TRACES;
  function fill(w: OperationWindow, clock: ManualClock): void {
    const p = profile(NORMAL);
    const slow = profile(scaled(NORMAL, 10));
    for (let i = 0; i < 2 * B; i++) {
      clock.set((i * 10_000) / B);
      w.observe(features((i * 10_000) / B, 100), p, "normal");
    }
    // Bucket 2 (20-30 s): half of its traces flagged and 10x slower: an incident.
    for (let i = 0; i < 2 * B; i++) {
      clock.set(20_000 + (i * 5_000) / B);
      const flagged = i % 2 === 0;
      w.observe(
        features(20_000 + (i * 5_000) / B, flagged ? 1000 : 100),
        flagged ? slow : p,
        flagged ? "flagged" : "normal",
      );
    }
  }
  const CLIENT = "cart|CLIENT|cart.client";

  /** The incident cell's normal tail: its B unflagged traces' 5% / 95%. */
  const TAIL = Math.floor((B * 0.05) / 0.95);
  // [name, learnFlagged, with the policy, operation spans learned, type traces learned]
  it.each<[string, boolean, boolean, number, number]>([
    [
      "by default flagged spans are never learned; an incident cell's flagged traces are held back but for its normal tail",
      false,
      true,
      3 * B,
      3 * B + TAIL,
    ],
    ["without a policy, a type learns its flagged traces too (its normal tail)", false, false, 3 * B, 4 * B],
    ["learning flagged spans: an incident bucket's are left out", true, true, 3 * B, 3 * B + TAIL],
    ["learning flagged spans, without a policy: every trace", true, false, 4 * B, 4 * B],
  ])("%s", (_name, learnFlagged, withPolicy, spans, traces) => {
    const clock = new ManualClock(0);
    const w = new OperationWindow({ clock, windowMs: 60_000, bucketMs: 10_000, learnFlagged });
    fill(w, clock);
    const snap = w.snapshot(withPolicy ? { tailShare: 0.05 } : undefined, 30);
    const ops = new Map(snap.operations);
    expect(ops.get(CLIENT)?.count).toBe(spans);
    const type = new Map(snap.types).get("checkout");
    expect(type?.count).toBe(traces);
    if (spans === 3 * B) expect(Math.abs((ops.get(CLIENT)?.p99 as number) - 40)).toBeLessThanOrEqual(0.8);
    // An incident cell's normal tail (B unflagged × 5% / 95% of its flagged traces) is
    // learned; the type's p99, a median over chunks, stays the normal one.
    if (traces <= 3 * B + TAIL) expect(Math.abs((type?.ownP99 as number) - 100)).toBeLessThanOrEqual(2);
  });

  it("a type's flagged traces within its normal tail are learned: the p99 is not trimmed", () => {
    const clock = new ManualClock(0);
    const w = new OperationWindow({ clock, windowMs: 60_000, bucketMs: 10_000 });
    // 1,000 traces of 1..1000 ms; the slowest 4% flagged (within 5% × 1.25 + 3 sd).
    for (let i = 0; i < 1000; i++) {
      clock.set(i * 10);
      const d = ((i * 337) % 1000) + 1;
      w.observe(features(i * 10, d), undefined, d > 960 ? "flagged" : "normal");
    }
    const t = new Map(w.snapshot({ tailShare: 0.05 }, 30).types).get("checkout");
    expect(t?.count).toBe(1000);
    expect(Math.abs((t?.ownP99 as number) - 990)).toBeLessThanOrEqual(30);
  });

  describe("an incident cell whose incident is faster than the type's normal tail", () => {
    // One bucket of 1,000 traces of 1..1000 ms: the slowest 4% (961..1000 ms) are flagged as the
    // normal tail, no rule matching them; 200 more traces fail fast (5 ms), flagged, and alerted.
    // 240 of 1,200 flagged: the cell is judged an incident.
    function run(tailAlerted: boolean | undefined): { count: number; ownP99: number } {
      const clock = new ManualClock(0);
      const w = new OperationWindow({ clock, windowMs: 60_000, bucketMs: 10_000 });
      for (let i = 0; i < 1000; i++) {
        clock.set(i * 8);
        const d = ((i * 337) % 1000) + 1;
        const flagged = d > 960;
        w.observe(
          features(i * 8, d),
          undefined,
          flagged ? "flagged" : "normal",
          flagged ? tailAlerted : false,
        );
      }
      for (let i = 0; i < 200; i++) {
        clock.set(8_000 + i * 5);
        w.observe(features(8_000 + i * 5, 5), undefined, "flagged", true);
      }
      const t = new Map(w.snapshot({ tailShare: 0.05 }, 30).types).get("checkout");
      return { count: t?.count as number, ownP99: t?.ownP99 as number };
    }

    it("learns the flagged traces no rule matched: the p99 is the normal one", () => {
      const t = run(false);
      // 960 unflagged, the 40 quiet tail traces; the fast incident's traces only up to the
      // normal tail count (960 × 5% / 95% = 50, less the 40 quiet ones).
      expect(t.count).toBe(960 + 40 + 10);
      // The p99 of 1..1000 ms and ten 5 ms traces: the 990th of 1,010 values.
      expect(Math.abs(t.ownP99 - 980)).toBeLessThanOrEqual(25);
    });

    it("without the rules' verdict the fastest flagged stand for the tail, and the p99 is trimmed", () => {
      const t = run(undefined);
      // 960 unflagged and the 50 fastest flagged: the 5 ms traces.
      expect(t.count).toBe(960 + 50);
      expect(t.ownP99).toBeLessThan(960);
    });

    it("draws the normal tail count evenly from the unmatched flagged traces when they are more", () => {
      const clock = new ManualClock(0);
      const w = new OperationWindow({ clock, windowMs: 60_000, bucketMs: 10_000 });
      // 950 unflagged of 1..950 ms; 200 flagged that no rule matched, 10..2000 ms (the slow normal
      // tail among an incident spread over the whole range): 50 of them learned, in their shape.
      for (let i = 0; i < 950; i++) {
        clock.set(i * 8);
        w.observe(features(i * 8, ((i * 337) % 950) + 1), undefined, "normal", false);
      }
      for (let i = 0; i < 200; i++) {
        clock.set(8_000 + i * 5);
        w.observe(features(8_000 + i * 5, 10 * (i + 1)), undefined, "flagged", false);
      }
      const t = new Map(w.snapshot({ tailShare: 0.05 }, 30).types).get("checkout");
      expect(t?.count).toBe(950 + 50);
      // The 990th of 1,000 is among the eleven slowest of the 50 (1,600 ms and over), where the
      // 50 fastest (10..500 ms) would leave the unflagged traces' 99th percentile (about 940 ms).
      expect(t?.ownP99 as number).toBeGreaterThan(1_500);
    });

    it("flagged traces a rule matched stay held back beyond the normal tail count", () => {
      // The slow tail alerted too: all 240 flagged are the rules' anomalies; 50 learned.
      const t = run(true);
      expect(t.count).toBe(960 + 50);
      expect(t.ownP99).toBeLessThan(960);
    });
  });

  it("expires buckets with the window; operations past the cap share the overflow key", () => {
    const clock = new ManualClock(0);
    const w = new OperationWindow({ clock, windowMs: 30_000, bucketMs: 10_000, maxOperations: 3 });
    w.observe(features(0, 100), profile(NORMAL), "unscored");
    const ops = new Map(w.snapshot().operations);
    expect(ops.size).toBe(4);
    expect(ops.get(OVERFLOW_OPERATION)?.count).toBe(3);
    clock.set(45_000);
    w.observe(features(44_000, 100), undefined, "unscored");
    expect(w.snapshot().operations).toEqual([]);
    expect(w.stats().buckets).toBe(1);
  });
});
