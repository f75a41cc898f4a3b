import { beforeAll, describe, expect, it } from "vitest";
import { spanDurationMs } from "../../../src/domain/span.js";
import { meetsCascadeCondition, traceShape, type TraceShape } from "../../../src/sim/inspect.js";
import type { TraceLabelKind } from "../../../src/sim/labels.js";
import { DEFAULT_SCHEDULE } from "../../../src/sim/schedule.js";
import { Simulator, type SimulatedTrace } from "../../../src/sim/simulator.js";

const START = 1_700_000_000_000;

interface Shaped {
  readonly trace: SimulatedTrace;
  readonly shape: TraceShape;
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};

describe.each([1, 2])("injected anomalies (seed %i)", (seed) => {
  let all: Shaped[] = [];
  const labelled = (label: TraceLabelKind): Shaped[] => all.filter((t) => t.trace.label.label === label);
  const injected = (t: Shaped, key: string): unknown => t.trace.label.injected[key];
  const p99ByType = new Map<string, number>();

  beforeAll(() => {
    // Injection shares well above the defaults: plenty of each anomaly to check, same shapes.
    const windows = DEFAULT_SCHEDULE.windows.map((w) => ({ ...w, fraction: Math.max(w.fraction, 0.5) }));
    const sim = new Simulator({
      seed,
      ratePerSec: 60,
      startTimeMs: START,
      schedule: { ...DEFAULT_SCHEDULE, windows },
    });
    all = [...sim.until(255_000)].map((trace) => ({ trace, shape: traceShape(trace.spans) }));
    const durations = new Map<string, number[]>();
    for (const t of labelled("normal")) {
      const list = durations.get(t.trace.label.requestType) ?? [];
      list.push(t.shape.totalDurationMs);
      durations.set(t.trace.label.requestType, list);
    }
    for (const [type, list] of durations) p99ByType.set(type, quantile(list, 0.99));
  });

  it.each<[TraceLabelKind, number]>([
    ["latency_spike", 200],
    ["unusual_path", 50],
    ["cascade_failure", 40],
    ["near_miss_errors", 40],
    ["near_miss_slow", 100],
  ])("injects enough %s traces to measure (at least %i)", (label, min) => {
    expect(labelled(label).length).toBeGreaterThanOrEqual(min);
  });

  it("makes every latency spike longer than twice its request type's normal p99", () => {
    const short = labelled("latency_spike").filter(
      (t) => !(t.shape.totalDurationMs > 2 * p99ByType.get(t.trace.label.requestType)!),
    );
    expect(short.map((t) => t.trace.label)).toEqual([]);
  });

  it("adds the constant network delay to every call into the delayed service", () => {
    const traces = labelled("latency_spike").filter((t) => injected(t, "shape") === "network_delay");
    expect(traces.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const { trace } of traces) {
      const delay = injected({ trace } as Shaped, "addedDelayMs") as number;
      const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
      for (const s of trace.spans) {
        if (s.service !== injected({ trace } as Shaped, "service")) continue;
        const parent = s.parentSpanId === null ? undefined : byId.get(s.parentSpanId);
        if (parent === undefined || parent.service === s.service) continue; // a call out of the service
        // HTTP services: the caller's CLIENT span outlasts the SERVER span by the delay; datastores: the span itself.
        const overhead = s.kind === "SERVER" ? spanDurationMs(parent) - spanDurationMs(s) : spanDurationMs(s);
        if (overhead < delay) problems.push(`${trace.traceId} ${s.name}: ${overhead} < ${delay}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("slows the contended service's spans several-fold with a wider spread than normal", () => {
    const traces = labelled("latency_spike").filter((t) => injected(t, "shape") === "cpu_contention");
    expect(traces.length).toBeGreaterThan(0);
    const service = injected(traces[0]!, "service") as string;
    // The calls into the service: its SERVER spans, or a datastore's own spans (written as CLIENT).
    const entries = (t: Shaped) => {
      const byId = new Map(t.trace.spans.map((s) => [s.spanId, s]));
      return t.trace.spans.filter((s) => {
        const parent = s.parentSpanId === null ? undefined : byId.get(s.parentSpanId);
        return s.service === service && parent !== undefined && parent.service !== service;
      });
    };
    const durations = (ts: Shaped[]): number[] => ts.flatMap((t) => entries(t).map(spanDurationMs));
    const slowed = durations(traces.filter((t) => injected(t, "service") === service));
    const normal = durations(labelled("normal"));
    const ratio = quantile(slowed, 0.5) / quantile(normal, 0.5);
    expect(ratio).toBeGreaterThan(5);
    const spread = (xs: number[]): number => quantile(xs, 0.9) - quantile(xs, 0.1);
    expect(spread(slowed)).toBeGreaterThan(10 * spread(normal));
  });

  it("puts the deployed edge in every unusual_path trace and in no trace before the deploy or after the rollback", () => {
    const paths = labelled("unusual_path");
    const missing = paths.filter(
      (t) => !t.shape.edges.has(`${injected(t, "caller")}->${injected(t, "callee")}`),
    );
    expect(missing).toEqual([]);
    for (const edge of new Set(paths.map((t) => `${injected(t, "caller")}->${injected(t, "callee")}`))) {
      const deploy = Math.min(
        ...paths
          .filter((t) => `${injected(t, "caller")}->${injected(t, "callee")}` === edge)
          .map((t) => injected(t, "deployAtMs") as number),
      );
      const rollback = Math.max(...paths.map((t) => injected(t, "rollbackAtMs") as number));
      const outside = all.filter(
        (t) =>
          t.shape.edges.has(edge) &&
          (t.trace.label.startTimeMs < deploy ||
            t.trace.label.startTimeMs > rollback ||
            t.trace.label.label !== "unusual_path"),
      );
      expect(outside.map((t) => t.trace.label)).toEqual([]);
    }
  });

  it("propagates every cascade through more than 3 services with more than 5 error spans", () => {
    const cascades = labelled("cascade_failure");
    const weak = cascades.filter((t) => !meetsCascadeCondition(t.shape));
    expect(weak.map((t) => [t.trace.label, t.shape.errorCount, t.shape.affectedServices])).toEqual([]);
    for (const t of cascades) {
      const origin = injected(t, "origin");
      expect(t.trace.spans.some((s) => s.service === origin && s.status === "ERROR")).toBe(true);
      expect(t.trace.spans.find((s) => s.parentSpanId === null)?.status).toBe("ERROR");
    }
  });

  it("shapes error near-misses exactly as labelled and never meets the cascade condition", () => {
    const nearMisses = labelled("near_miss_errors");
    const variants = new Set(nearMisses.map((t) => injected(t, "variant")));
    expect(variants).toEqual(new Set(["four_services_five_errors", "three_services_retry_storm"]));
    const wrong = nearMisses.filter(
      (t) =>
        meetsCascadeCondition(t.shape) ||
        t.shape.errorCount !== injected(t, "errorCount") ||
        t.shape.affectedServices !== injected(t, "affectedServices") ||
        t.trace.spans.find((s) => s.parentSpanId === null)?.status === "ERROR",
    );
    expect(wrong.map((t) => [t.trace.label, t.shape.errorCount, t.shape.affectedServices])).toEqual([]);
  });

  it("keeps the slow near-miss at about two seconds, every time", () => {
    const durations = labelled("near_miss_slow").map((t) => t.shape.totalDurationMs);
    expect(Math.min(...durations)).toBeGreaterThan(1_400);
    expect(Math.max(...durations)).toBeLessThan(3_000);
  });

  it("gives normal latency a realistic tail that still almost never reaches twice the p99", () => {
    const normal = labelled("normal");
    const over = normal.filter(
      (t) => t.shape.totalDurationMs > 2 * p99ByType.get(t.trace.label.requestType)!,
    );
    expect(over.length / normal.length).toBeLessThan(2e-4);
    const browse = normal
      .filter((t) => t.trace.label.requestType === "browse_catalog")
      .map((t) => t.shape.totalDurationMs);
    expect(quantile(browse, 0.99) / quantile(browse, 0.5)).toBeGreaterThan(2);
  });

  it("keeps normal error noise rare, small and short of the cascade condition", () => {
    const normal = labelled("normal");
    const withErrors = normal.filter((t) => t.shape.errorCount > 0);
    const rate = withErrors.length / normal.length;
    expect(rate).toBeGreaterThan(0.015);
    expect(rate).toBeLessThan(0.06);
    expect(Math.max(...withErrors.map((t) => t.shape.errorCount))).toBeLessThanOrEqual(3);
    expect(normal.filter((t) => meetsCascadeCondition(t.shape))).toEqual([]);
    const notFound = withErrors.filter((t) =>
      t.trace.spans.some((s) => s.attributes["http.status_code"] === 404),
    );
    const retried = withErrors.filter((t) =>
      t.trace.spans.some(
        (s) => s.attributes["http.status_code"] === 503 || s.attributes["error.type"] !== undefined,
      ),
    );
    expect(notFound.length).toBeGreaterThan(0);
    expect(retried.length).toBeGreaterThan(0);
  });
});
