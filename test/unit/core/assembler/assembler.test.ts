import { describe, expect, it } from "vitest";
import { ASSEMBLER_DEFAULTS } from "../../../../src/core/assembler/index.js";
import type { Span } from "../../../../src/domain/span.js";
import { span, setup } from "./helpers.js";

const GRACE = ASSEMBLER_DEFAULTS.rootGraceMs;

describe("trace completion", () => {
  it.each([
    ["a trace without root, after decision_wait", [span(1, 1, 0)], 9_999, 1, "idle"],
    [
      "a trace with its root and every parent, after root_grace",
      [span(1, 0, null), span(1, 1, 0)],
      GRACE - 1,
      1,
      "root",
    ],
    [
      "a trace whose root is in but a parent is missing, after decision_wait",
      [span(1, 0, null), span(1, 2, 1)],
      9_999,
      1,
      "idle",
    ],
  ] as const)("completes %s", async (_name, spans, notBeforeMs, afterMs, reason) => {
    const { assembler, delivered, advance } = setup();
    assembler.add(spans);
    await advance(notBeforeMs);
    expect(delivered).toEqual([]);
    await advance(afterMs);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ traceId: spans[0]!.traceId, reason });
    expect(delivered[0]!.spans).toHaveLength(spans.length);
    expect(assembler.stats().completed[reason]).toBe(1);
  });

  it.each([3, 7, 8, 9, 20, 32, 33])(
    "completes a %i-span trace by root_grace only when no span's parent is missing",
    async (n) => {
      const { assembler, delivered, advance } = setup();
      // Trace 1 whole; trace 2 the same shape but one span's parent never arrives. Children first,
      // parents later, and ids from separate strings (as from separate messages).
      const parents = Array.from({ length: n }, (_, i) => (i === 0 ? null : (i * 7) % i));
      const shape = (traceNo: number, lost: number): Span[] =>
        parents.map((p, i) => span(traceNo, i, i === lost ? n + 5 : p)).reverse();
      assembler.add(shape(1, -1).slice(0, 1));
      assembler.add(shape(1, -1).slice(1));
      assembler.add(shape(2, n - 1 - Math.floor(n / 3)));
      await advance(GRACE);
      expect(delivered.map((t) => [t.traceId.slice(-1), t.reason, t.spans.length])).toEqual([
        ["1", "root", n],
      ]);
      await advance(ASSEMBLER_DEFAULTS.decisionWaitMs);
      expect(delivered.map((t) => [t.traceId.slice(-1), t.reason])).toEqual([
        ["1", "root"],
        ["2", "idle"],
      ]);
    },
  );

  it("restarts root_grace when another span of the trace arrives", async () => {
    const { assembler, delivered, advance } = setup({ rootGraceMs: 1_000 });
    assembler.add([span(1, 0, null)]);
    await advance(800);
    assembler.add([span(1, 1, 0)]);
    await advance(800);
    expect(delivered).toEqual([]);
    await advance(200);
    expect(delivered.map((t) => t.spans.length)).toEqual([2]);
  });

  it("restarts decision_wait when another span of the trace arrives", async () => {
    const { assembler, delivered, advance } = setup({ decisionWaitMs: 5_000 });
    assembler.add([span(1, 1, 0)]);
    await advance(4_000);
    assembler.add([span(1, 2, 0)]);
    await advance(4_000);
    expect(delivered).toEqual([]);
    await advance(1_000);
    expect(delivered.map((t) => t.spans.length)).toEqual([2]);
  });

  it("completes a trace when it reaches max_spans_per_trace and counts later spans as late", async () => {
    const { assembler, delivered, advance } = setup({ maxSpansPerTrace: 3 });
    const result = assembler.add([span(1, 1, 0), span(1, 2, 0), span(1, 3, 0), span(1, 4, 0)]);
    await advance(0);
    expect(result).toEqual({ accepted: 3, duplicates: 0, late: 1 });
    expect(delivered.map((t) => [t.reason, t.spans.length])).toEqual([["max_spans", 3]]);
  });

  it("completes the oldest trace when max_traces is reached", async () => {
    const { assembler, delivered, advance } = setup({ maxTraces: 2 });
    assembler.add([span(1, 1, 0)]);
    assembler.add([span(2, 1, 0)]);
    assembler.add([span(1, 2, 0)]);
    assembler.add([span(3, 1, 0)]);
    await advance(0);
    expect(delivered.map((t) => [t.traceId.slice(-1), t.reason])).toEqual([["2", "evicted"]]);
    expect(assembler.stats().openTraces).toBe(2);
  });

  it("completes the oldest traces when the byte budget is exceeded", async () => {
    const { assembler, delivered, advance } = setup({ maxBytes: 2_000 });
    for (let t = 1; t <= 10; t++) assembler.add([span(t, 1, 0)]);
    await advance(0);
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.every((t) => t.reason === "evicted")).toBe(true);
    expect(assembler.stats().bufferedBytes).toBeLessThanOrEqual(2_000);
  });
});

describe("duplicates and late spans", () => {
  it("drops and counts a span whose id the trace already has", () => {
    const { assembler } = setup();
    expect(assembler.add([span(1, 1, 0), span(1, 1, 0)])).toEqual({ accepted: 1, duplicates: 1, late: 0 });
    const many = Array.from({ length: 50 }, (_, i) => span(2, i, null));
    assembler.add(many);
    expect(assembler.add(many).duplicates).toBe(50);
    expect(assembler.stats().duplicateSpans).toBe(51);
  });

  it("with re-opening off, counts spans for a completed trace as late instead of opening a new trace", async () => {
    const { assembler, delivered, advance } = setup({ reopenWindowMs: 0 });
    assembler.add([span(1, 0, null)]);
    await advance(GRACE);
    expect(assembler.add([span(1, 5, 0)])).toEqual({ accepted: 0, duplicates: 0, late: 1 });
    await advance(20_000);
    expect(delivered).toHaveLength(1);
    expect(assembler.stats()).toMatchObject({ lateSpans: 1, openTraces: 0 });
  });

  it("forgets the oldest decisions beyond its bound", async () => {
    const { assembler, delivered, advance } = setup({ recentDecisions: 1, reopenWindowMs: 0 });
    assembler.add([span(1, 0, null)]);
    assembler.add([span(2, 0, null)]);
    await advance(GRACE);
    expect(assembler.add([span(1, 9, 0)]).late).toBe(0);
    expect(assembler.add([span(2, 9, 0)]).late).toBe(1);
    expect(delivered).toHaveLength(2);
  });
});

describe("shutdown and rebalance", () => {
  it("flush completes every open trace and waits for processing", async () => {
    const { assembler, delivered } = setup();
    assembler.add([span(1, 1, 0), span(2, 1, 0)]);
    await assembler.flush();
    expect(delivered.map((t) => t.reason)).toEqual(["flush", "flush"]);
  });

  it("shutdown is idempotent and refuses later spans", async () => {
    const { assembler, delivered } = setup();
    assembler.add([span(1, 1, 0)]);
    await assembler.shutdown();
    await assembler.shutdown();
    expect(delivered).toHaveLength(1);
    expect(() => assembler.add([span(2, 1, 0)])).toThrow(/after shutdown/);
  });

  it("dropOpen discards open traces and forgets decisions so re-read spans assemble again", async () => {
    const { assembler, delivered, advance } = setup();
    assembler.add([span(1, 0, null)]);
    await advance(GRACE);
    assembler.add([span(2, 1, 0)]);
    expect(assembler.dropOpen()).toBe(1);
    expect(assembler.stats()).toMatchObject({ openTraces: 0, bufferedSpans: 0, droppedTraces: 1 });
    assembler.add([span(1, 0, null)]);
    await advance(GRACE);
    expect(delivered.map((t) => t.traceId.slice(-1))).toEqual(["1", "1"]);
  });

  it("dropOpen with onlyHeld keeps traces that hold no source token", () => {
    const { assembler } = setup();
    const token = { hold: () => undefined, release: () => undefined };
    assembler.add([span(1, 1, 0)], token);
    assembler.add([span(2, 1, 0), span(2, 2, 0)]);
    expect(assembler.dropOpen({ onlyHeld: true })).toBe(1);
    expect(assembler.stats()).toMatchObject({ openTraces: 1, bufferedSpans: 2 });
  });
});
