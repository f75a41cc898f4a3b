import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { KeptTraces } from "../../../../src/core/kept/kept-traces.js";
import type { Span } from "../../../../src/domain/span.js";

const FLOOD = 1_000_000;

/** A one-span trace with a distinct id (cheap: one object per trace). */
function trace(i: number): Span[] {
  const traceId = i.toString(16).padStart(32, "0");
  return [
    {
      traceId,
      spanId: "00f067aa0ba902b7",
      parentSpanId: null,
      service: "frontend",
      name: "GET /cart",
      kind: "SERVER",
      startTimeUnixNano: 1n,
      endTimeUnixNano: 2n,
      status: "UNSET",
      attributes: { "http.path": "/cart" },
    },
  ];
}

/** A collector on demand (vitest's unit workers do not start with --expose-gc). */
function gc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

describe("KeptTraces under a flood of distinct trace ids", () => {
  it("stays within its count and byte bounds and lets go of what it evicted", () => {
    const collect = gc();
    collect();
    const before = process.memoryUsage().heapUsed;
    const store = new KeptTraces({ maxTraces: 1000, maxBytes: 200_000 });
    let over = 0;
    for (let i = 0; i < FLOOD; i++) {
      store.keep(trace(i), i % 3 === 0 ? "alert" : "default", null, i);
      if (store.size > 1000 || store.bytes > 200_000) over++;
    }
    expect(over).toBe(0);
    expect(store.bytes).toBeLessThanOrEqual(200_000);
    expect(store.size).toBeGreaterThan(0);
    expect(store.evicted).toBe(FLOOD - store.size);
    // The newest survive, the oldest went first.
    expect(store.get(trace(FLOOD - 1)[0]!.traceId)).toBeDefined();
    expect(store.get(trace(0)[0]!.traceId)).toBeUndefined();
    collect();
    const grown = process.memoryUsage().heapUsed - before;
    // A million traces held would take hundreds of MB; the bound is 200 kB estimated.
    expect(grown).toBeLessThan(20 * 1024 * 1024);
  });
});
