import { describe, expect, it } from "vitest";
import { InFlight } from "../../../../src/core/assembler/in-flight.js";
import { noopLogger, noopMetrics } from "../../../../src/core/assembler/types.js";
import type { CompletedTrace } from "../../../../src/domain/trace.js";

const trace = (id: string, completedAtMs: number): CompletedTrace => ({
  traceId: id,
  spans: [],
  reason: "root",
  completedAtMs,
});
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("InFlight retries", () => {
  it("starts only the retries that are due, in the order they failed, and keeps the rest", async () => {
    const calls: string[] = [];
    let failing = true;
    const processor = {
      process: (t: CompletedTrace) => {
        calls.push(t.traceId);
        return failing ? Promise.reject(new Error("down")) : Promise.resolve();
      },
    };
    const inFlight = new InFlight(processor, 100, noopMetrics, noopLogger, () => undefined);
    // Each first failure is retried 100 ms after the trace completed: at 100, 150 and 300 ms.
    for (const [id, at] of [
      ["a", 0],
      ["b", 50],
      ["c", 200],
    ] as const)
      inFlight.submit(trace(id, at), null, 1);
    await settle();
    failing = false;
    calls.length = 0;
    inFlight.retryDue(160);
    expect(calls).toEqual(["a", "b"]);
    await settle();
    expect(inFlight.count).toBe(1);
    inFlight.retryDue(299);
    expect(calls).toEqual(["a", "b"]);
    inFlight.retryDue(300);
    expect(calls).toEqual(["a", "b", "c"]);
    await inFlight.whenIdle();
    expect(inFlight.count).toBe(0);
  });
});
