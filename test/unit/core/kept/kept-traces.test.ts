import { describe, expect, it } from "vitest";
import { NO_ATTRIBUTES, type AttributeValue, type Span } from "../../../../src/domain/span.js";
import { KeptTraces, textLength, type KeptAlert } from "../../../../src/core/kept/kept-traces.js";

const traceOf = (n: number, spans = 1, service = "svc"): Span[] =>
  Array.from({ length: spans }, (_, i) => ({
    traceId: n.toString(16).padStart(32, "0"),
    spanId: (i + 1).toString(16).padStart(16, "0"),
    parentSpanId: i === 0 ? null : (1).toString(16).padStart(16, "0"),
    service: i === 0 ? "front" : service,
    name: "op",
    kind: "SERVER" as const,
    startTimeUnixNano: 1_000_000n,
    endTimeUnixNano: 2_000_000n,
    status: "UNSET" as const,
    attributes: NO_ATTRIBUTES,
  }));
const alert = (id: string): KeptAlert => ({
  id,
  type: "latency_spike",
  severity: "high",
  service: "svc",
  culprit: "svc",
  spanIds: [],
  detectedAt: "2026-01-01T00:00:00.000Z",
});

describe("KeptTraces", () => {
  it("stays within its count bound under a flood of trace ids, newest kept", () => {
    const store = new KeptTraces({ maxTraces: 100 });
    for (let i = 1; i <= 100_000; i++) store.keep(traceOf(i), "alert", alert(String(i)), i);
    expect(store.size).toBe(100);
    expect(store.get(traceOf(100_000)[0]!.traceId)).toBeDefined();
    expect(store.get(traceOf(1)[0]!.traceId)).toBeUndefined();
    expect(store.evicted).toBe(99_900);
  });

  it("stays within its byte bound, evicting the oldest", () => {
    const store = new KeptTraces({ maxTraces: 1_000_000, maxBytes: 100_000 });
    for (let i = 1; i <= 10_000; i++) store.keep(traceOf(i, 10), "alert", null, i);
    expect(store.bytes).toBeLessThanOrEqual(100_000);
    expect(store.size).toBeGreaterThan(10);
  });

  it("counts a kept trace's alerts in its bytes, and within the byte bound", () => {
    const bare = new KeptTraces();
    bare.keep(traceOf(1, 4), "alert", null, 1);
    const withAlerts = new KeptTraces();
    const many = {
      ...alert("a"),
      spanIds: Array.from({ length: 200 }, (_, i) => i.toString(16).padStart(16, "0")),
    };
    withAlerts.keep(traceOf(1, 4), "alert", many, 1);
    withAlerts.keep(traceOf(1, 4), "alert", { ...many, id: "b" }, 2);
    expect(withAlerts.bytes).toBeGreaterThan(bare.bytes + 2 * 200 * 32);
    expect(withAlerts.get(traceOf(1)[0]!.traceId)!.bytes).toBe(withAlerts.bytes);
    const bounded = new KeptTraces({ maxTraces: 1_000_000, maxBytes: 100_000 });
    for (let i = 1; i <= 1_000; i++) bounded.keep(traceOf(i, 2), "alert", { ...many, id: String(i) }, i);
    expect(bounded.bytes).toBeLessThanOrEqual(100_000);
    expect(bounded.size).toBeLessThan(100_000 / (200 * 32));
  });

  it("replaces the spans of a trace kept again and merges its alerts", () => {
    const store = new KeptTraces();
    store.keep(traceOf(7, 2), "alert", alert("a"), 1);
    store.keep(traceOf(7, 3), "alert", alert("b"), 2);
    store.keep(traceOf(7, 3), "alert", alert("b"), 3);
    const t = store.get(traceOf(7)[0]!.traceId)!;
    expect(t.spans).toHaveLength(3);
    expect(t.alerts.map((a) => a.id)).toEqual(["a", "b"]);
    expect(store.size).toBe(1);
  });

  it("lists newest first, filtered by service or by edge", () => {
    const store = new KeptTraces();
    store.keep(traceOf(1, 2, "cart"), "alert", null, 1);
    store.keep(traceOf(2, 2, "ads"), "alert", null, 2);
    expect(store.list({ limit: 10 }).map((t) => t.traceId)).toEqual([
      traceOf(2)[0]!.traceId,
      traceOf(1)[0]!.traceId,
    ]);
    expect(store.list({ service: "cart", limit: 10 })).toHaveLength(1);
    expect(store.list({ edge: "front->ads", limit: 10 })[0]!.services).toEqual(["ads", "front"]);
    expect(store.list({ edge: "ads->front", limit: 10 })).toHaveLength(0);
  });
});

describe("textLength", () => {
  it("is String(v).length of any attribute value that is not a string", () => {
    const values: AttributeValue[] = [
      0,
      -0,
      7,
      -7,
      10,
      99,
      100,
      -1000,
      200,
      503,
      2 ** 31,
      -(2 ** 31),
      2 ** 53,
      2 ** 53 + 2,
      2 ** 60,
      1e20,
      -1e20,
      1e21,
      // 10^21 − 1 as a number rounds to 10^21, written "1e+21".
      Number("999999999999999999999"),
      1e21 - 65_536,
      1e22,
      1.5,
      -0.25,
      1e-7,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.MAX_VALUE,
      true,
      false,
      null,
      [],
      [1, "a", null],
    ];
    for (let i = 0; i < 64; i++)
      values.push(10 ** (i / 3), -Math.floor(10 ** (i / 3)), Math.floor(10 ** (i / 3)) - 1);
    for (const v of values) expect(textLength(v), String(v)).toBe(String(v).length);
  });
});
