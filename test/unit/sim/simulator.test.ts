import { describe, expect, it } from "vitest";
import { SPAN_ID_RE, TRACE_ID_RE, type Span } from "../../../src/domain/span.js";
import { Simulator, type SimulatedTrace } from "../../../src/sim/simulator.js";

const START = 1_700_000_000_000;

const serialise = (traces: SimulatedTrace[]): string =>
  JSON.stringify(traces, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

const run = (seed: number, durationMs: number, rate = 50): SimulatedTrace[] => [
  ...new Simulator({ seed, ratePerSec: rate, startTimeMs: START }).until(durationMs),
];

describe("Simulator determinism", () => {
  it("generates identical spans and labels for the same seed", () => {
    expect(serialise(run(9, 20_000))).toBe(serialise(run(9, 20_000)));
  });

  it("generates different traffic for a different seed", () => {
    expect(run(9, 5_000)[0]?.traceId).not.toBe(run(10, 5_000)[0]?.traceId);
  });

  it("shares no trace id between runs of different seeds", () => {
    const ids = (seed: number) => new Set(run(seed, 20_000).map((t) => t.traceId));
    const seen = ids(1);
    expect(seen.size).toBeGreaterThan(900);
    for (const seed of [2, 3, 4, 5, 1_000_001]) {
      const other = ids(seed);
      expect([...other].filter((id) => seen.has(id))).toEqual([]);
    }
  });

  it("gives a run with another start time other trace ids, but the same traffic", () => {
    const a = [...new Simulator({ seed: 7, startTimeMs: START }).take(500)];
    const b = [...new Simulator({ seed: 7, startTimeMs: START + 60_000 }).take(500)];
    const idsA = new Set(a.map((t) => t.traceId));
    expect(b.filter((t) => idsA.has(t.traceId))).toEqual([]);
    expect(b.map((t) => t.label.requestType)).toEqual(a.map((t) => t.label.requestType));
    expect(b.map((t) => t.spans.length)).toEqual(a.map((t) => t.spans.length));
  });

  it("generates the same normal trace whatever else is injected around it", () => {
    const a = [...new Simulator({ seed: 4, startTimeMs: START }).take(400)];
    const b = [...new Simulator({ seed: 4, startTimeMs: START, anomalies: ["near-miss"] }).take(400)];
    const normalA = a.filter((t) => t.label.label === "normal" && t.offsetMs < 15_000);
    expect(normalA.length).toBeGreaterThan(100);
    const byId = new Map(b.map((t) => [t.traceId, t]));
    for (const t of normalA) expect(serialise([byId.get(t.traceId)!])).toBe(serialise([t]));
  });
});

/** Problems with a trace's structure (collected, because expect() per span is slow). */
function structureProblems(t: SimulatedTrace): string[] {
  const problems: string[] = [];
  const ids = new Set(t.spans.map((s) => s.spanId));
  if (!TRACE_ID_RE.test(t.traceId)) problems.push(`bad trace id ${t.traceId}`);
  if (ids.size !== t.spans.length) problems.push("duplicate span ids");
  const roots = t.spans.filter((s) => s.parentSpanId === null);
  if (roots.length !== 1 || roots[0]?.service !== "gateway" || roots[0].kind !== "SERVER")
    problems.push("root is not one gateway SERVER span");
  const startNs = BigInt(t.label.startTimeMs) * 1_000_000n;
  for (const s of t.spans as Span[]) {
    if (s.traceId !== t.traceId) problems.push("span of another trace");
    if (!SPAN_ID_RE.test(s.spanId)) problems.push(`bad span id ${s.spanId}`);
    if (s.parentSpanId !== null && !ids.has(s.parentSpanId)) problems.push("unknown parent");
    if (s.endTimeUnixNano < s.startTimeUnixNano) problems.push("ends before it starts");
    if (s.startTimeUnixNano < startNs) problems.push("starts before the trace");
  }
  return problems.map((p) => `${t.traceId}: ${p}`);
}

describe("Simulator traces", () => {
  const traces = run(3, 60_000);

  it("emits well-formed traces: one gateway root, known parents, ordered times", () => {
    expect(traces.flatMap(structureProblems)).toEqual([]);
    expect(new Set(traces.map((t) => t.traceId)).size).toBe(traces.length);
  });

  it("advances event time at the requested rate", () => {
    expect(traces.length).toBeGreaterThan(2_700);
    expect(traces.length).toBeLessThan(3_300);
    const backwards = traces.filter((t, i) => i > 0 && t.offsetMs < traces[i - 1]!.offsetMs);
    expect(backwards).toEqual([]);
    expect(traces.at(-1)!.offsetMs).toBeLessThan(60_000);
  });

  it("shows every label within the first minute of the default schedule", () => {
    const labels = new Set(traces.map((t) => t.label.label));
    expect([...labels].sort()).toEqual([
      "cascade_failure",
      "latency_spike",
      "near_miss_errors",
      "near_miss_slow",
      "normal",
      "unusual_path",
    ]);
  });

  it("keeps injected anomalies rare by default, about 1% of traces", () => {
    const injected = traces.filter((t) =>
      ["latency_spike", "unusual_path", "cascade_failure"].includes(t.label.label),
    );
    expect(injected.length / traces.length).toBeGreaterThan(0.002);
    expect(injected.length / traces.length).toBeLessThan(0.02);
  });

  it("covers databases, the queue and every span kind", () => {
    const kinds = new Set(traces.flatMap((t) => t.spans.map((s) => s.kind)));
    expect([...kinds].sort()).toEqual(["CLIENT", "CONSUMER", "PRODUCER", "SERVER"]);
    const services = new Set(traces.flatMap((t) => t.spans.map((s) => s.service)));
    for (const s of ["postgres", "redis", "elasticsearch", "notification", "shipping", "payment"])
      expect(services).toContain(s);
    expect(services.size).toBeGreaterThanOrEqual(15);
  });

  it("carries attributes that exercise redaction on some spans", () => {
    const keys = new Set(traces.flatMap((t) => t.spans.flatMap((s) => Object.keys(s.attributes))));
    for (const k of [
      "http.method",
      "http.route",
      "http.status_code",
      "db.statement",
      "user.email",
      "internal.debug_info",
    ]) {
      expect(keys).toContain(k);
    }
  });

  it("labels trace starts with the event time of the root span", () => {
    for (const t of traces.slice(0, 50)) {
      const root = t.spans.find((s) => s.parentSpanId === null)!;
      expect(BigInt(t.label.startTimeMs)).toBe(root.startTimeUnixNano / 1_000_000n);
    }
  });
});

describe("Simulator options", () => {
  it("generates normal traffic only when no anomaly category is enabled", () => {
    const traces = [...new Simulator({ seed: 2, startTimeMs: START, anomalies: [] }).until(60_000)];
    expect(new Set(traces.map((t) => t.label.label))).toEqual(new Set(["normal"]));
    expect(traces.some((t) => t.label.requestType === "report_export")).toBe(false);
  });

  it.each([
    [{ ratePerSec: 0 }, /ratePerSec/],
    [{ ratePerSec: Number.NaN }, /ratePerSec/],
    [{ startTimeMs: -5 }, /startTimeMs/],
    [{ schedule: { warmupMs: 0, periodMs: 0, windows: [] } }, /periodMs/],
  ])("rejects invalid options %o", (opts, message) => {
    expect(() => new Simulator({ startTimeMs: START, ...opts })).toThrow(message);
  });
});
