import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/core/clock.js";
import {
  ASSEMBLER_DEFAULTS,
  PartitionOffsets,
  TraceAssembler,
} from "../../../../src/core/assembler/index.js";
import type { CompletedTrace } from "../../../../src/domain/trace.js";
import { span } from "./helpers.js";

const settle = () => new Promise((r) => setImmediate(r));

/** A processor whose acknowledgements the test releases by hand. */
function manualProcessor() {
  const pending: Array<{ trace: CompletedTrace; ack: () => void; fail: (e: Error) => void }> = [];
  return {
    pending,
    processor: {
      process: (trace: CompletedTrace) =>
        new Promise<void>((ack, fail) => {
          pending.push({ trace, ack, fail });
        }),
    },
  };
}

describe("partition offsets", () => {
  it.each([
    ["nothing done", [], null],
    ["the first done", [10], "11"],
    ["a later one done but not the first", [11, 12], null],
    ["a contiguous prefix done", [10, 11, 13], "12"],
    ["all done", [10, 11, 12, 13], "14"],
  ])("with %s commits %s", (_name, doneOffsets, expected) => {
    const offsets = new PartitionOffsets();
    const acks = [10, 11, 12, 13].map((o) => offsets.begin(String(o)));
    for (const ack of acks) if (doneOffsets.includes(Number(ack.offset))) ack.seal();
    expect(offsets.pendingCommit()).toBe(expected);
  });

  it("offers each committable offset once", () => {
    const offsets = new PartitionOffsets();
    offsets.begin("5").seal();
    expect(offsets.pendingCommit()).toBe("6");
    offsets.markCommitted("6");
    expect(offsets.pendingCommit()).toBeNull();
  });
});

describe("acknowledgement through the assembler", () => {
  it("keeps a message uncommittable until every trace it fed is completed and acknowledged", async () => {
    const clock = new ManualClock(0);
    const { pending, processor } = manualProcessor();
    const assembler = new TraceAssembler({ clock, processor });
    const offsets = new PartitionOffsets();
    const m0 = offsets.begin("0");
    assembler.add([span(1, 0, null), span(2, 0, null)], m0);
    m0.seal();
    const m1 = offsets.begin("1");
    assembler.add([span(2, 1, 0)], m1);
    m1.seal();
    expect(offsets.pendingCommit()).toBeNull();
    clock.advance(ASSEMBLER_DEFAULTS.rootGraceMs);
    assembler.tick();
    expect(pending.map((p) => p.trace.traceId.slice(-1))).toEqual(["1", "2"]);
    pending[1]!.ack();
    await settle();
    expect(offsets.pendingCommit()).toBeNull();
    pending[0]!.ack();
    await settle();
    expect(offsets.pendingCommit()).toBe("2");
  });

  it("retries a trace whose processing failed and commits only after it succeeds", async () => {
    const clock = new ManualClock(0);
    const { pending, processor } = manualProcessor();
    const assembler = new TraceAssembler({ clock, processor, retryDelayMs: 100 });
    const offsets = new PartitionOffsets();
    const m0 = offsets.begin("0");
    assembler.add([span(1, 0, null)], m0);
    m0.seal();
    clock.advance(ASSEMBLER_DEFAULTS.rootGraceMs);
    assembler.tick();
    pending[0]!.fail(new Error("sink down"));
    await settle();
    expect(assembler.stats().processingFailures).toBe(1);
    clock.advance(50);
    assembler.tick();
    expect(pending).toHaveLength(1);
    clock.advance(100);
    assembler.tick();
    expect(pending).toHaveLength(2);
    expect(offsets.pendingCommit()).toBeNull();
    pending[1]!.ack();
    await settle();
    expect(offsets.pendingCommit()).toBe("1");
  });

  it("signals back-pressure above the high-water mark and releases it below the low-water mark", async () => {
    const clock = new ManualClock(0);
    const { pending, processor } = manualProcessor();
    const assembler = new TraceAssembler({
      clock,
      processor,
      maxTraces: 10,
      highWaterRatio: 0.8,
      lowWaterRatio: 0.5,
    });
    const changes: boolean[] = [];
    assembler.onPressureChange((over) => changes.push(over));
    for (let t = 1; t <= 7; t++) assembler.add([span(t, 0, null)]);
    expect(assembler.isOverHighWater()).toBe(false);
    assembler.add([span(8, 0, null)]);
    expect(assembler.isOverHighWater()).toBe(true);
    clock.advance(ASSEMBLER_DEFAULTS.rootGraceMs);
    assembler.tick();
    // Completed but unacknowledged traces still count.
    expect(assembler.isOverHighWater()).toBe(true);
    for (const p of pending.slice(0, 4)) p.ack();
    await settle();
    expect(assembler.isOverHighWater()).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it("does not age open traces while paused on unacknowledged traces", () => {
    const clock = new ManualClock(0);
    const { pending, processor } = manualProcessor();
    const assembler = new TraceAssembler({ clock, processor, maxTraces: 10, decisionWaitMs: 1_000 });
    for (let t = 1; t <= 8; t++) assembler.add([span(t, 0, null)]);
    clock.advance(1_000);
    assembler.tick();
    expect(pending).toHaveLength(8);
    // Half of trace 9 arrives while eight completed traces wait for the downstream.
    assembler.add([span(9, 1, 0)]);
    expect(assembler.isOverHighWater()).toBe(true);
    for (let i = 0; i < 30; i++) {
      clock.advance(100);
      assembler.tick();
    }
    expect(pending).toHaveLength(8);
    expect(assembler.stats().openTraces).toBe(1);
  });
});
