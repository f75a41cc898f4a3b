import { describe, expect, it } from "vitest";
import { RARE_SLOW_MIX, RARE_SLOW_TYPE } from "../../../src/sim/mixes.js";
import { traceShape } from "../../../src/sim/inspect.js";
import { Simulator } from "../../../src/sim/simulator.js";

const rootMs = (
  spans: readonly { parentSpanId?: string | null; startTimeUnixNano: bigint; endTimeUnixNano: bigint }[],
) => {
  const root = spans.find((s) => !s.parentSpanId)!;
  return Number(root.endTimeUnixNano - root.startTimeUnixNano) / 1e6;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

describe("rare-slow request mix", () => {
  it("adds a normal type at 5% of traffic, about 5x slower than the median trace, and two rare edges", () => {
    const sim = new Simulator({
      seed: 1,
      ratePerSec: 50,
      startTimeMs: Date.UTC(2026, 0, 1),
      anomalies: ["near-miss"],
      requestTypes: RARE_SLOW_MIX,
    });
    const all: number[] = [];
    const slow: number[] = [];
    const edges = new Map<string, number>();
    for (const t of sim.take(20_000)) {
      const ms = rootMs(t.spans);
      all.push(ms);
      if (t.label.requestType === RARE_SLOW_TYPE) {
        slow.push(ms);
        expect(t.label.label).toBe("normal");
      }
      for (const e of traceShape(t.spans).edges) edges.set(e, (edges.get(e) ?? 0) + 1);
    }
    expect(slow.length / all.length).toBeGreaterThan(0.045);
    expect(slow.length / all.length).toBeLessThan(0.055);
    const ratio = median(slow) / median(all);
    expect(ratio).toBeGreaterThan(4);
    expect(ratio).toBeLessThan(6);
    // catalog->search in 5% of the slow type (~50), order->loyalty in 0.5% of order histories (~8).
    expect(edges.get("catalog->search")).toBeGreaterThan(25);
    expect(edges.get("catalog->search")).toBeLessThan(80);
    expect(edges.get("order->loyalty")).toBeGreaterThan(2);
    expect(edges.get("order->loyalty")).toBeLessThan(20);
  }, 60_000);

  it("leaves the default mix unchanged", () => {
    const a = new Simulator({ seed: 1, startTimeMs: Date.UTC(2026, 0, 1) });
    const b = new Simulator({ seed: 1, startTimeMs: Date.UTC(2026, 0, 1) });
    const ids = (s: Simulator) => [...s.take(200)].map((t) => `${t.traceId} ${t.label.requestType}`);
    expect(ids(a)).toEqual(ids(b));
  });
});
