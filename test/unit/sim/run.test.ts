import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/core/clock.js";
import type { TraceLabel } from "../../../src/sim/labels.js";
import { InMemoryTraceSink, type TraceSink, type WriteResult } from "../../../src/sim/output/sink.js";
import { runSimulation, type RunOptions } from "../../../src/sim/run.js";
import { Simulator, type SimulatedTrace } from "../../../src/sim/simulator.js";

const START = 1_700_000_000_000;

function setup(overrides: Partial<RunOptions> = {}, sink: TraceSink = new InMemoryTraceSink()) {
  const clock = new ManualClock(START);
  const labels: TraceLabel[] = [];
  const options: RunOptions = {
    simulator: new Simulator({ seed: 5, ratePerSec: 40, startTimeMs: START }),
    sink,
    mode: "fast",
    clock,
    sleep: async (ms) => clock.advance(ms),
    onLabels: async (ls) => {
      labels.push(...ls);
      return null;
    },
    ...overrides,
  };
  return { clock, labels, options };
}

describe("runSimulation, fast mode", () => {
  it("writes every trace of the duration in batches, with labels in the same order", async () => {
    const sink = new InMemoryTraceSink();
    const { labels, options } = setup({ durationMs: 10_000, batchTraces: 50 }, sink);
    const result = await runSimulation(options);
    expect(result.ok).toBe(true);
    const traces = sink.traces;
    expect(traces.length).toBeGreaterThan(340);
    expect(traces.length).toBeLessThan(460);
    expect(sink.batches.slice(0, -1).every((b) => b.length === 50)).toBe(true);
    expect(labels.map((l) => l.traceId)).toEqual(traces.map((t) => t.traceId));
    expect(result.summary).toMatchObject({
      traces: traces.length,
      spans: traces.reduce((n, t) => n + t.spans.length, 0),
      batches: sink.batches.length,
    });
    expect(result.summary.byLabel.normal).toBe(traces.length - (result.summary.byLabel.near_miss_slow ?? 0));
  });

  it.each([
    [{ maxTraces: 123 }, 123],
    [{ maxTraces: 10, durationMs: 60_000 }, 10],
  ])("stops at the trace count %o", async (limits, expected) => {
    const sink = new InMemoryTraceSink();
    const { options } = setup(limits, sink);
    await runSimulation(options);
    expect(sink.traces).toHaveLength(expected);
  });

  it("stops at the first failed batch and reports its error without labelling it", async () => {
    let writes = 0;
    const failing: TraceSink = {
      target: "flaky",
      async write(): Promise<WriteResult> {
        writes++;
        return writes < 3 ? { ok: true } : { ok: false, error: "flaky: HTTP 400" };
      },
      async close() {},
    };
    const { labels, options } = setup({ durationMs: 60_000, batchTraces: 10 }, failing);
    const result = await runSimulation(options);
    expect(result).toMatchObject({
      ok: false,
      error: "flaky: HTTP 400",
      summary: { traces: 20, batches: 2 },
    });
    expect(labels).toHaveLength(20);
  });

  it("keeps several writes in flight and still labels the traces in order", async () => {
    let active = 0;
    let peak = 0;
    const written: string[] = [];
    const slowSink: TraceSink = {
      target: "slow",
      async write(traces) {
        active++;
        peak = Math.max(peak, active);
        // Later batches finish first: completion order differs from submission order.
        await new Promise((r) => setTimeout(r, 20 - (written.length % 4) * 5));
        written.push(...traces.map((t) => t.traceId));
        active--;
        return { ok: true };
      },
      async close() {},
    };
    const { labels, options } = setup({ maxTraces: 400, batchTraces: 25, maxInFlight: 4 }, slowSink);
    const result = await runSimulation(options);
    expect(result).toMatchObject({ ok: true, summary: { traces: 400, batches: 16 } });
    expect(peak).toBe(4);
    const expected = [...new Simulator({ seed: 5, ratePerSec: 40, startTimeMs: START }).take(400)].map(
      (t) => t.traceId,
    );
    expect(labels.map((l) => l.traceId)).toEqual(expected);
    expect(new Set(written)).toEqual(new Set(expected));
  });

  it("reports the first failed batch when writes are in flight", async () => {
    let calls = 0;
    const sink: TraceSink = {
      target: "third-fails",
      async write(): Promise<WriteResult> {
        const call = ++calls;
        await new Promise((r) => setTimeout(r, 5));
        return call === 3 ? { ok: false, error: "batch 3 refused" } : { ok: true };
      },
      async close() {},
    };
    const { labels, options } = setup({ maxTraces: 1_000, batchTraces: 10, maxInFlight: 3 }, sink);
    const result = await runSimulation(options);
    expect(result).toMatchObject({
      ok: false,
      error: "batch 3 refused",
      summary: { traces: 20, batches: 2 },
    });
    expect(labels).toHaveLength(20);
    expect(calls).toBeLessThanOrEqual(5);
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const sink = new InMemoryTraceSink();
    const { options } = setup({ durationMs: 60_000, signal: controller.signal }, sink);
    expect((await runSimulation(options)).summary.traces).toBe(0);
  });
});

describe("runSimulation, live mode", () => {
  it("writes each trace only after its last span ended on the clock, paced over the duration", async () => {
    const seenAt: Array<{ trace: SimulatedTrace; at: number }> = [];
    const { clock, options } = setup({ durationMs: 5_000, mode: "live", flushIntervalMs: 200 });
    const sink: TraceSink = {
      target: "timed",
      async write(traces) {
        for (const trace of traces) seenAt.push({ trace, at: clock.now() });
        return { ok: true };
      },
      async close() {},
    };
    const result = await runSimulation({ ...options, sink });
    expect(result.ok).toBe(true);
    expect(seenAt.length).toBeGreaterThan(150);
    const early = seenAt.filter(({ trace, at }) => at < trace.endTimeMs);
    expect(early).toEqual([]);
    const late = seenAt.filter(({ trace, at }) => at > trace.endTimeMs + 200 + 101);
    expect(late).toEqual([]);
    expect(clock.now() - START).toBeGreaterThanOrEqual(4_900);
    expect(clock.now() - START).toBeLessThan(8_000);
  });
});
