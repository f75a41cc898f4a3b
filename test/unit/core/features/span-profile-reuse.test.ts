import { describe, expect, it } from "vitest";
import { extractTrace } from "../../../../src/core/features/extract.js";
import { sortByStart, SpanProfiler, type SpanProfile } from "../../../../src/core/features/span-profile.js";
import { Prng } from "../../../../src/core/model/prng.js";
import type { Span, SpanKind } from "../../../../src/domain/span.js";
import type { TraceFeatures } from "../../../../src/domain/features.js";
import type { CompletedTrace } from "../../../../src/domain/trace.js";
import { completed } from "../alerts/spans.js";

const T0 = 1_700_000_000_000_000_000n;
const KINDS: readonly SpanKind[] = ["SERVER", "CLIENT", "INTERNAL"];

/**
 * A random trace: a tree (parents earlier or later in the array), now and then a duplicate id, an
 * orphan, an end before the start, or times months apart (past 2^53 ns from the first span).
 */
function randomTrace(rng: Prng, n: number, duplicates = true): Span[] {
  const hex = (k: number): string => k.toString(16).padStart(16, "0");
  const ids: string[] = [];
  for (let i = 0; i < n; i++)
    ids.push(
      duplicates && i > 0 && rng.next() < 0.03 ? (ids[i - 1] as string) : hex(i + 1 + rng.int(3) * 1_000),
    );
  const order = Array.from({ length: n }, (_, i) => i).sort(() => rng.next() - 0.5);
  const far = rng.next() < 0.2;
  return order.map((i) => {
    const startMs = rng.int(1_000);
    const lengthNs = BigInt(rng.int(500_000_000)) - (rng.next() < 0.05 ? 600_000_000n : 0n);
    const offset = far && rng.next() < 0.3 ? 10_000_000_000_000_000n : 0n;
    const start = T0 + offset + BigInt(startMs) * 1_000_000n + BigInt(rng.int(1_000));
    const r = rng.next();
    const parent = i === 0 ? null : r < 0.1 ? hex(99_999) : (ids[rng.int(i)] as string);
    return {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: ids[i] as string,
      parentSpanId: parent,
      service: `svc-${rng.int(4)}`,
      name: `op-${rng.int(3)}`,
      kind: KINDS[rng.int(KINDS.length)] as SpanKind,
      startTimeUnixNano: start,
      endTimeUnixNano: start + lengthNs,
      status: rng.next() < 0.1 ? "ERROR" : "OK",
      attributes: {},
    };
  });
}

/** The profile's per-span values, read while it is valid. */
function rows(p: SpanProfile): unknown[] {
  return Array.from({ length: p.n }, (_, i) => [
    p.op[i],
    p.service[i],
    p.spanId[i],
    p.skip[i],
    p.durationMs[i],
    p.selfMs[i],
    p.parent[i],
    p.callee[i],
    p.critical[i],
    p.error[i],
  ]);
}

/** The trace's extent against plain BigInt arithmetic over its spans (first of each id). */
function expectExtent(trace: CompletedTrace, f: TraceFeatures): void {
  const seen = new Set<string>();
  const kept = trace.spans.filter((x) => !seen.has(x.spanId) && seen.add(x.spanId));
  const minStart = kept.reduce(
    (m, x) => (x.startTimeUnixNano < m ? x.startTimeUnixNano : m),
    kept[0]!.startTimeUnixNano,
  );
  const maxEnd = kept.reduce(
    (m, x) => (x.endTimeUnixNano > m ? x.endTimeUnixNano : m),
    kept[0]!.endTimeUnixNano,
  );
  const longest = kept.reduce(
    (m, x) => (x.endTimeUnixNano - x.startTimeUnixNano > m ? x.endTimeUnixNano - x.startTimeUnixNano : m),
    0n,
  );
  expect(f.total_duration).toBe(Number(maxEnd - minStart) / 1e6);
  expect(f.max_span_duration).toBe(Number(longest) / 1e6);
  expect(f.startTimeMs).toBe(Number(minStart / 1_000_000n) + Number(minStart % 1_000_000n) / 1e6);
}

describe("a reused span profiler", () => {
  it("profiles every trace as a profile in arrays of its own does, and extracts the same features", () => {
    const rng = new Prng(3);
    const profiler = new SpanProfiler(4);
    for (let round = 0; round < 300; round++) {
      const trace = completed(randomTrace(rng, 1 + rng.int(round % 10 === 0 ? 200 : 30)));
      const own = extractTrace(trace, { profile: true });
      const reused = extractTrace(trace, { profile: profiler });
      expect(reused.features).toEqual(own.features);
      expectExtent(trace, own.features);
      expect(reused.repairs).toEqual(own.repairs);
      const a = own.profile as SpanProfile;
      const b = reused.profile as SpanProfile;
      expect(b.root).toBe(a.root);
      expect(rows(b)).toEqual(rows(a));
      // Operation ids name operations: one id per key, one key per id.
      const idOf = new Map<string, number>();
      const keyOf = new Map<number, string>();
      for (let i = 0; i < b.n; i++) {
        expect(idOf.get(b.op[i] as string) ?? b.opId[i]).toBe(b.opId[i]);
        expect(keyOf.get(b.opId[i] as number) ?? b.op[i]).toBe(b.op[i]);
        idOf.set(b.op[i] as string, b.opId[i] as number);
        keyOf.set(b.opId[i] as number, b.op[i] as string);
      }
    }
  });

  it("reads span times exactly wherever they are: across 32-bit words, near 2^53 apart, outside 0 .. 2^64", () => {
    const rng = new Prng(11);
    const profiler = new SpanProfiler(4);
    // Bases around word and range boundaries; times up to 2^54 ns either way of them.
    const bases = [
      0n,
      1n,
      2n ** 32n - 7n,
      T0,
      2n ** 63n,
      2n ** 64n - 3n,
      2n ** 64n + 5n,
      -(2n ** 40n),
      3n * 2n ** 70n,
    ];
    const near = (): bigint => {
      const b = bases[rng.int(bases.length)] as bigint;
      const r = rng.next();
      const delta =
        r < 0.4
          ? BigInt(rng.int(5_000))
          : r < 0.8
            ? BigInt(rng.int(2 ** 31)) * 4_099n
            : 2n ** 53n + BigInt(rng.int(3));
      return rng.next() < 0.5 ? b + delta : b - delta;
    };
    for (let round = 0; round < 400; round++) {
      const spans = randomTrace(rng, 1 + rng.int(12)).map((x) => {
        const start = near();
        const end = rng.next() < 0.5 ? start + BigInt(rng.int(2 ** 31)) : near();
        return { ...x, startTimeUnixNano: start, endTimeUnixNano: end };
      });
      const trace = completed(spans);
      const own = extractTrace(trace, { profile: true });
      const reused = extractTrace(trace, { profile: profiler });
      expect(reused.features).toEqual(own.features);
      expectExtent(trace, own.features);
      expect(rows(reused.profile as SpanProfile)).toEqual(rows(own.profile as SpanProfile));
    }
  });

  it("lists a trace's distinct edges sorted, as a set sorted by Array#sort would", () => {
    const rng = new Prng(5);
    for (let round = 0; round < 100; round++) {
      const spans = randomTrace(rng, 2 + rng.int(300), false).map((s, i) => ({
        ...s,
        service: `s${rng.int(round % 2 === 0 ? 5 : 40)}-${i % 3}`,
      }));
      const f = extractTrace(completed(spans)).features;
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const edges = new Set<string>();
      for (const s of spans) {
        const parent = s.parentSpanId === null ? undefined : byId.get(s.parentSpanId);
        if (parent !== undefined && parent !== s && parent.service !== s.service)
          edges.add(`${parent.service}->${s.service}`);
      }
      expect(f.edges).toEqual([...edges].sort());
    }
  });
});

describe("sortByStart", () => {
  it("orders children as the built-in stable sort does, ties kept in order", () => {
    const rng = new Prng(9);
    for (let round = 0; round < 500; round++) {
      const n = 2 + rng.int(round % 5 === 0 ? 80 : 12);
      const start = Float64Array.from({ length: n }, () => rng.int(6) / 4);
      const kids = Int32Array.from({ length: n }, (_, i) => i);
      const lo = rng.int(n);
      const hi = lo + rng.int(n - lo + 1);
      const expected = [
        ...kids.subarray(0, lo),
        ...[...kids.subarray(lo, hi)].sort((a, b) => start[a]! - start[b]!),
        ...kids.subarray(hi),
      ];
      sortByStart(kids, lo, hi, start);
      expect([...kids]).toEqual(expected);
    }
  });
});
