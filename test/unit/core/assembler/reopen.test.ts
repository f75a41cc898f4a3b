import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/core/clock.js";
import {
  ASSEMBLER_DEFAULTS,
  PartitionOffsets,
  TraceAssembler,
  noopMetrics,
} from "../../../../src/core/assembler/index.js";
import type { CompletedTrace } from "../../../../src/domain/trace.js";
import { span, setup } from "./helpers.js";

const GRACE = ASSEMBLER_DEFAULTS.rootGraceMs;
const WINDOW = ASSEMBLER_DEFAULTS.reopenWindowMs;
const settle = () => new Promise((r) => setImmediate(r));

describe("a late span re-opens its completed trace within reopen_window", () => {
  it("merges the late span and completes the trace again with all its spans", async () => {
    const { assembler, delivered, advance } = setup();
    assembler.add([span(1, 0, null), span(1, 1, 0)]);
    await advance(GRACE);
    expect(delivered.map((t) => [t.reason, t.spans.length, t.earlierSpans])).toEqual([
      ["root", 2, undefined],
    ]);
    expect(assembler.add([span(1, 2, 1)])).toEqual({ accepted: 1, duplicates: 0, late: 0 });
    await advance(GRACE - 1);
    expect(delivered).toHaveLength(1);
    assembler.add([span(1, 3, 1)]);
    await advance(GRACE);
    expect(delivered.map((t) => [t.reason, t.spans.length, t.earlierSpans])).toEqual([
      ["root", 2, undefined],
      ["root", 4, 2],
    ]);
    expect(delivered[1]!.spans.map((s) => s.spanId)).toEqual(
      [0, 1, 2, 3].map((n) => (n + 1).toString(16).padStart(16, "0")),
    );
    expect(assembler.stats()).toMatchObject({ mergedLateSpans: 2, reopenedTraces: 1, lateSpans: 0 });
  });

  it("leaves the span array the processor got untouched", async () => {
    const { assembler, delivered, advance } = setup();
    assembler.add([span(1, 0, null)]);
    await advance(GRACE);
    const first = delivered[0]!.spans;
    assembler.add([span(1, 1, 0)]);
    await advance(GRACE);
    expect(first).toHaveLength(1);
    expect(delivered[1]!.spans).toHaveLength(2);
  });

  it("does not re-open a trace for a redelivered copy of a span it already processed", async () => {
    const { assembler, delivered, advance } = setup();
    assembler.add([span(1, 0, null), span(1, 1, 0)]);
    await advance(GRACE);
    expect(assembler.add([span(1, 1, 0)])).toEqual({ accepted: 0, duplicates: 1, late: 0 });
    await advance(WINDOW);
    expect(delivered).toHaveLength(1);
    expect(assembler.stats()).toMatchObject({ reopenedTraces: 0, openTraces: 0 });
  });

  it("drops late spans once reopen_window has passed since the first completion", async () => {
    const { assembler, delivered, advance } = setup();
    assembler.add([span(1, 0, null)]);
    await advance(GRACE);
    await advance(WINDOW - GRACE - 1);
    // Re-opened inside the window, completed again just inside it: the window still counts from
    // the first completion.
    assembler.add([span(1, 1, 0)]);
    await advance(GRACE);
    expect(delivered).toHaveLength(2);
    // Completed again 1 ms before the window ends: a span 1 ms later is too late.
    await advance(1);
    expect(assembler.add([span(1, 2, 0)])).toEqual({ accepted: 0, duplicates: 0, late: 1 });
    await advance(WINDOW);
    expect(delivered).toHaveLength(2);
    expect(assembler.stats()).toMatchObject({ lateSpans: 1, mergedLateSpans: 1, keptTraces: 0 });
  });

  it("forgets kept traces when reopen_window expires on tick", async () => {
    const { assembler, advance } = setup();
    assembler.add([span(1, 0, null)]);
    await advance(GRACE);
    expect(assembler.stats().keptTraces).toBe(1);
    await advance(WINDOW);
    expect(assembler.stats()).toMatchObject({ keptTraces: 0, keptBytes: 0 });
    expect(assembler.add([span(1, 1, 0)]).late).toBe(1);
  });

  it.each([
    ["max_spans", { maxSpansPerTrace: 2 }],
    ["evicted", { maxTraces: 1 }],
  ] as const)("keeps no trace completed by %s: its late spans are dropped", async (reason, options) => {
    const { assembler, delivered, advance } = setup(options);
    assembler.add([span(1, 0, null), span(1, 1, 0)]);
    assembler.add([span(2, 0, null)]);
    await advance(0);
    expect(delivered[0]).toMatchObject({ reason });
    expect(assembler.add([span(1, 5, 0)]).late).toBe(1);
    expect(assembler.stats().reopenedTraces).toBe(0);
  });

  it("with reopen_window 0, keeps nothing", async () => {
    const { assembler, advance } = setup({ reopenWindowMs: 0 });
    assembler.add([span(1, 0, null)]);
    await advance(GRACE);
    expect(assembler.stats().keptTraces).toBe(0);
    expect(assembler.add([span(1, 1, 0)]).late).toBe(1);
  });

  it("gives up the oldest kept traces first at the byte bound, before evicting open traces", async () => {
    const { assembler, delivered, advance } = setup({ maxBytes: 4_000 });
    for (let t = 1; t <= 4; t++) assembler.add([span(t, 0, null)]);
    await advance(GRACE);
    expect(assembler.stats().keptTraces).toBe(4);
    const kept = assembler.stats().keptBytes;
    for (let t = 5; t <= 8; t++) assembler.add([span(t, 1, 0)]);
    const s = assembler.stats();
    expect(s.keptTraces).toBeLessThan(4);
    expect(s.keptBytes).toBeLessThan(kept);
    expect(s.bufferedBytes + s.keptBytes).toBeLessThanOrEqual(4_000);
    expect(s.completed.evicted).toBe(0);
    // The oldest went first: trace 1 is late, trace 4 still re-opens.
    expect(assembler.add([span(1, 9, 0)]).late).toBe(1);
    expect(assembler.add([span(4, 9, 0)]).accepted).toBe(1);
    expect(delivered).toHaveLength(4);
  });

  it("does not count kept traces toward back-pressure", async () => {
    const { assembler, advance } = setup({ maxTraces: 10 });
    for (let t = 1; t <= 9; t++) assembler.add([span(t, 0, null)]);
    expect(assembler.isOverHighWater()).toBe(true);
    await advance(GRACE);
    expect(assembler.stats().keptTraces).toBe(9);
    expect(assembler.isOverHighWater()).toBe(false);
  });

  it("forgets kept traces on dropOpen (the partition's spans are re-read)", async () => {
    const { assembler, delivered, advance } = setup();
    assembler.add([span(1, 0, null)]);
    await advance(GRACE);
    assembler.dropOpen();
    expect(assembler.stats().keptTraces).toBe(0);
    assembler.add([span(1, 1, 0)]);
    await advance(ASSEMBLER_DEFAULTS.decisionWaitMs);
    expect(delivered.map((t) => [t.spans.length, t.earlierSpans])).toEqual([
      [1, undefined],
      [1, undefined],
    ]);
  });

  it("reports merged and dropped late spans to its metrics", async () => {
    const counts = { late: 0, merged: 0 };
    const { assembler, advance } = setup({
      metrics: {
        ...noopMetrics,
        spansLate: (n) => (counts.late += n),
        spansMerged: (n) => (counts.merged += n),
      },
      reopenWindowMs: GRACE,
    });
    assembler.add([span(1, 0, null)]);
    await advance(GRACE);
    assembler.add([span(1, 1, 0), span(1, 2, 0)]);
    await advance(GRACE);
    assembler.add([span(1, 3, 0)]);
    expect(counts).toEqual({ late: 1, merged: 2 });
  });
});

describe("acknowledgement of a re-opened trace", () => {
  it("holds the late span's message until the trace is processed again and acknowledged", async () => {
    const clock = new ManualClock(0);
    const pending: Array<{ trace: CompletedTrace; ack: () => void }> = [];
    const assembler = new TraceAssembler({
      clock,
      processor: { process: (trace) => new Promise<void>((ack) => pending.push({ trace, ack })) },
    });
    const offsets = new PartitionOffsets();
    const m0 = offsets.begin("0");
    assembler.add([span(1, 0, null)], m0);
    m0.seal();
    clock.advance(GRACE);
    assembler.tick();
    const m1 = offsets.begin("1");
    assembler.add([span(1, 1, 0)], m1);
    m1.seal();
    pending[0]!.ack();
    await settle();
    // The first completion is acknowledged; the late span's message waits for the second.
    expect(offsets.pendingCommit()).toBe("1");
    clock.advance(GRACE);
    assembler.tick();
    expect(pending.map((p) => p.trace.spans.length)).toEqual([1, 2]);
    pending[1]!.ack();
    await settle();
    expect(offsets.pendingCommit()).toBe("2");
  });
});
