import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/core/clock.js";
import { TraceAssembler } from "../../../../src/core/assembler/index.js";
import type { Span } from "../../../../src/domain/span.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function floodSpan(i: number): Span {
  return {
    traceId: i.toString(16).padStart(32, "0"),
    spanId: "00000000000000aa",
    parentSpanId: "00000000000000bb",
    service: "flood",
    name: "op",
    kind: "SERVER",
    startTimeUnixNano: 1_767_225_600_000_000_000n + BigInt(i),
    endTimeUnixNano: 1_767_225_600_000_100_000n + BigInt(i),
    status: "UNSET",
    attributes: {},
  };
}

describe("a flood of 1M distinct trace ids", () => {
  it("stays within the configured trace and byte budget", async () => {
    const maxBytes = 32 * 1024 * 1024;
    const clock = new ManualClock(0);
    let delivered = 0;
    const assembler = new TraceAssembler({
      clock,
      maxBytes,
      maxTraces: 1_000_000,
      recentDecisions: 10_000,
      processor: { process: async () => void delivered++ },
    });
    gc();
    const before = process.memoryUsage().heapUsed;
    let peakBuffered = 0;
    for (let i = 0; i < 1_000_000; i += 1_000) {
      const batch: Span[] = [];
      for (let j = i; j < i + 1_000; j++) batch.push(floodSpan(j));
      assembler.add(batch);
      peakBuffered = Math.max(peakBuffered, assembler.stats().bufferedBytes);
      clock.advance(1);
      await new Promise((r) => setImmediate(r));
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    const stats = assembler.stats();
    expect(peakBuffered).toBeLessThanOrEqual(maxBytes);
    expect(stats.completed.evicted).toBeGreaterThan(900_000);
    expect(stats.openTraces + delivered).toBe(1_000_000);
    expect(grown).toBeLessThan(maxBytes * 1.25);
  }, 60_000);
});
