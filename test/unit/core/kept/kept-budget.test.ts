import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/core/clock.js";
import { TraceAssembler } from "../../../../src/core/assembler/index.js";
import { KeptTraces, type KeptAlert } from "../../../../src/core/kept/kept-traces.js";
import type { Span } from "../../../../src/domain/span.js";

const MAX_BYTES = 400_000;
const STORE_BYTES = 150_000;

/** Span `n` of trace `t`: span 0 is the root, the others its children. */
function span(t: number, n: number): Span {
  return {
    traceId: t.toString(16).padStart(32, "0"),
    spanId: (n + 1).toString(16).padStart(16, "0"),
    parentSpanId: n === 0 ? null : "0000000000000001",
    service: n % 2 === 0 ? "frontend" : "checkout",
    name: "POST /orders",
    kind: "SERVER",
    startTimeUnixNano: 1_000n,
    endTimeUnixNano: 2_000n,
    status: "ERROR",
    attributes: { "http.path": "/orders", "http.status_code": 500 },
  };
}

function alertOn(spans: readonly Span[]): KeptAlert {
  return {
    id: `alert-${spans[0]!.traceId}`,
    type: "cascade_failure",
    severity: "critical",
    service: "checkout",
    culprit: "checkout",
    spanIds: spans.map((s) => s.spanId),
    detectedAt: "2026-01-01T00:00:00.000Z",
  };
}

describe("kept traces within the service's one memory budget", () => {
  it("keeps open, re-openable and kept traces together within max_bytes under a flood of alerted traces", async () => {
    const clock = new ManualClock(1_000_000);
    const store = new KeptTraces({ maxTraces: 100_000, maxBytes: STORE_BYTES });
    const assembler = new TraceAssembler({
      clock,
      maxBytes: MAX_BYTES,
      maxTraces: 1_000_000,
      decisionWaitMs: 60_000,
      rootGraceMs: 1_000,
      sharedBytes: () => store.bytes,
      // Every trace raises an alert and is kept.
      processor: { process: async (t) => store.keep(t.spans, "alert", alertOn(t.spans), clock.now()) },
    });
    const total = () => {
      const s = assembler.stats();
      return s.bufferedBytes + s.keptBytes + store.bytes;
    };
    let peak = 0;
    for (let t = 1; t <= 3_000; t++) {
      // Children first, the root last: the trace stays open for the root grace.
      assembler.add(Array.from({ length: 8 }, (_, n) => span(t, 7 - n)));
      peak = Math.max(peak, total());
      if (t % 200 === 0) {
        clock.advance(500);
        assembler.tick();
        peak = Math.max(peak, total());
        await new Promise((r) => setImmediate(r));
      }
    }
    expect(store.size).toBeGreaterThan(20);
    expect(store.bytes).toBeGreaterThan(STORE_BYTES * 0.8);
    expect(assembler.stats().completed.evicted).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(MAX_BYTES);
    expect(assembler.stats().sharedBytes).toBe(store.bytes);
  });

  it("starts back-pressure earlier the more the store holds", () => {
    const clock = new ManualClock(0);
    let shared = 0;
    const assembler = new TraceAssembler({
      clock,
      maxBytes: 100_000,
      sharedBytes: () => shared,
      processor: { process: async () => undefined },
    });
    assembler.add([span(1, 0)]);
    expect(assembler.isOverHighWater()).toBe(false);
    shared = 85_000;
    assembler.tick(0);
    expect(assembler.isOverHighWater()).toBe(true);
  });
});
