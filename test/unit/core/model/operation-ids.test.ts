import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/core/clock.js";
import { extractTrace } from "../../../../src/core/features/extract.js";
import {
  MAX_OPERATION_IDS,
  OperationMemo,
  operationOf,
  SpanProfiler,
  type SpanProfile,
} from "../../../../src/core/features/span-profile.js";
import { OperationWindow, OVERFLOW_OPERATION } from "../../../../src/core/model/operations.js";
import { Prng } from "../../../../src/core/model/prng.js";
import { LogSketch } from "../../../../src/core/model/sketch.js";
import type { Span, SpanKind } from "../../../../src/domain/span.js";

const T0 = 1_767_225_600_000_000_000n;
const KINDS: readonly SpanKind[] = ["SERVER", "CLIENT", "INTERNAL"];

/** A random trace of `n` spans (a tree), its operations among `services` × 6 names × 3 kinds. */
function randomTrace(rng: Prng, n: number, services: number, atMs: number): Span[] {
  const hex = (k: number): string => k.toString(16).padStart(16, "0");
  return Array.from({ length: n }, (_, i) => {
    const start = T0 + BigInt(atMs) * 1_000_000n + BigInt(rng.int(50_000_000));
    return {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: hex(i + 1),
      parentSpanId: i === 0 ? null : hex(1 + rng.int(i)),
      service: `svc-${rng.int(services)}`,
      name: `op-${rng.int(6)}`,
      kind: KINDS[rng.int(KINDS.length)] as SpanKind,
      startTimeUnixNano: start,
      endTimeUnixNano: start + BigInt(rng.int(80_000_000)),
      status: "OK",
      attributes: {},
    };
  });
}

describe("operation ids", () => {
  it("give each span its operation's key, and a memo by id finds what a map by key finds, across restarts of the table", () => {
    const rng = new Prng(17);
    const truth = new Map<string, number>();
    const memo = new OperationMemo((key: string) => truth.get(key));
    const profiler = new SpanProfiler();
    // Enough services that the table of operations starts over a few times.
    const services = Math.ceil((3 * MAX_OPERATION_IDS) / 18);
    for (let round = 0; round < 8_000; round++) {
      const spans = randomTrace(rng, 1 + rng.int(20), services, 0);
      const p = extractTrace({ traceId: "t", spans, reason: "root", completedAtMs: 0 }, { profile: profiler })
        .profile as SpanProfile;
      for (let i = 0; i < p.n; i++) {
        const s = spans[i] as Span;
        const key = `${s.service}|${s.kind}|${s.name}`;
        expect(p.op[i]).toBe(key);
        expect(operationOf(s).key).toBe(key);
        if (!truth.has(key)) truth.set(key, truth.size);
        expect(memo.get(p, i)).toBe(truth.get(key));
      }
    }
  });
});

describe("the operation window's cells by operation id", () => {
  it("learn what per-bucket maps by key learn, with the operations cap, traces out of order across buckets", () => {
    const rng = new Prng(23);
    const clock = new ManualClock(0);
    const maxOperations = 12;
    const w = new OperationWindow({ clock, windowMs: 600_000, bucketMs: 60_000, maxOperations });
    const profiler = new SpanProfiler();
    // Straightforward: per bucket, the keys its map holds (the overflow key once past the cap).
    const held = new Map<number, Set<string>>();
    const durations = new Map<string, LogSketch>();
    clock.set(600_000);
    for (let round = 0; round < 3_000; round++) {
      const bucket = rng.int(5);
      const atMs = 300_000 + bucket * 60_000 + rng.int(60_000);
      const spans = randomTrace(rng, 1 + rng.int(12), 4, atMs);
      const r = extractTrace(
        { traceId: "t", spans, reason: "root", completedAtMs: 0 },
        { profile: profiler },
      );
      const p = r.profile as SpanProfile;
      w.observe(r.features, p, "normal");
      let keys = held.get(bucket);
      if (keys === undefined) held.set(bucket, (keys = new Set()));
      for (let i = 0; i < p.n; i++) {
        let cell = p.op[i] as string;
        if (!keys.has(cell) && keys.size >= maxOperations) cell = OVERFLOW_OPERATION;
        keys.add(cell);
        let d = durations.get(`${bucket} ${cell}`);
        if (d === undefined) durations.set(`${bucket} ${cell}`, (d = new LogSketch()));
        d.add(p.durationMs[i] as number);
      }
    }
    const merged = new Map<string, LogSketch>();
    for (const [k, d] of durations) {
      const cell = k.slice(k.indexOf(" ") + 1);
      let m = merged.get(cell);
      if (m === undefined) merged.set(cell, (m = new LogSketch()));
      m.merge(d);
    }
    const ops = new Map(w.snapshot().operations);
    expect([...ops.keys()].sort()).toEqual([...merged.keys()].sort());
    for (const [key, m] of merged) {
      const o = ops.get(key);
      expect(o?.count).toBe(m.count);
      expect(o?.p50).toBe(m.quantile(0.5));
      expect(o?.p99).toBe(m.quantile(0.99));
    }
  });
});
