import { describe, expect, it } from "vitest";
import { NO_ATTRIBUTES, type Span } from "../../../../src/domain/span.js";
import { traceView } from "../../../../src/core/trace-view/trace-view.js";
import type { OperationStats } from "../../../../src/core/model/op-baselines.js";

const T = "0af7651916cd43dd8448eb211c80319c";
const ms = (x: number): bigint => 1_700_000_000_000_000_000n + BigInt(Math.round(x * 1e6));
function span(
  id: string,
  parent: string | null,
  service: string,
  name: string,
  start: number,
  end: number,
  error = false,
): Span {
  return {
    traceId: T,
    spanId: id.padStart(16, "0"),
    parentSpanId: parent === null ? null : parent.padStart(16, "0"),
    service,
    name,
    kind: parent === null ? "SERVER" : "CLIENT",
    startTimeUnixNano: ms(start),
    endTimeUnixNano: ms(end),
    status: error ? "ERROR" : "UNSET",
    attributes: NO_ATTRIBUTES,
  };
}

// front 0..100 calls cart 10..90 which calls db 20..80; front also calls ads 15..18, beside cart.
const spans = [
  span("3", "2", "db", "SELECT", 20, 80, true),
  span("1", null, "front", "GET /", 0, 100),
  span("2", "1", "cart", "getCart", 10, 90),
  span("4", "1", "ads", "getAds", 15, 18),
];

describe("traceView", () => {
  it("orders waterfall rows as a tree by start time with offset, duration, depth and error", () => {
    const v = traceView(spans);
    expect(v.waterfall.map((r) => [r.service, r.offsetMs, r.durationMs, r.depth, r.error])).toEqual([
      ["front", 0, 100, 0, false],
      ["cart", 10, 80, 1, false],
      ["db", 20, 60, 2, true],
      ["ads", 15, 3, 1, false],
    ]);
    expect(v.durationMs).toBe(100);
    expect(v.spanCount).toBe(4);
  });

  it("breaks latency down by self time per service and walks the critical path", () => {
    const v = traceView(spans);
    expect(v.breakdown.map((b) => [b.service, b.selfMs])).toEqual([
      ["db", 60],
      ["front", 20],
      ["cart", 20],
      ["ads", 3],
    ]);
    expect(v.criticalPath.map((c) => c.service)).toEqual(["front", "cart", "db"]);
    expect(v.waterfall.find((r) => r.service === "ads")!.critical).toBe(false);
  });

  it("puts each span beside its operation's baseline with its excess, and omits both without one", () => {
    const stats: OperationStats = { count: 500, p50: 10, p99: 25, selfP50: 10, selfP99: 25 };
    const v = traceView(spans, (key) => (key === "db|CLIENT|SELECT" ? stats : undefined), {
      services: new Set(["db"]),
      spanIds: new Set(),
    });
    const db = v.waterfall.find((r) => r.service === "db")!;
    expect(db.baseline).toEqual({ p50Ms: 10, p99Ms: 25, samples: 500 });
    expect(db.excessMs).toBe(35);
    expect(db.culprit).toBe(true);
    const cart = v.waterfall.find((r) => r.service === "cart")!;
    expect(cart).not.toHaveProperty("baseline");
    expect(cart).not.toHaveProperty("excessMs");
    expect(cart.culprit).toBe(false);
  });
});
