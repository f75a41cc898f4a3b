import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/core/clock.js";
import {
  ASSEMBLER_DEFAULTS,
  PartitionOffsets,
  TraceAssembler,
  noopMetrics,
  type AssemblerMetrics,
} from "../../../../src/core/assembler/index.js";
import type { TraceProgress } from "../../../../src/core/assembler/types.js";
import type { CompletedTrace } from "../../../../src/domain/trace.js";
import { createIngestMetrics } from "../../../../src/kafka/metrics.js";
import { createMetrics } from "../../../../src/metrics/pipeline.js";
import { span } from "./helpers.js";

const settle = () => new Promise((r) => setImmediate(r));

interface Call {
  trace: CompletedTrace;
  progress: TraceProgress | undefined;
  fail: (e: Error) => void;
}

/** One trace of one Kafka message through an assembler whose processor the test settles by hand. */
function oneTrace(metrics: AssemblerMetrics) {
  const clock = new ManualClock(0);
  const calls: Call[] = [];
  const assembler = new TraceAssembler({
    clock,
    retryDelayMs: 100,
    metrics,
    processor: {
      process: (trace, progress) => new Promise<void>((_ack, fail) => calls.push({ trace, progress, fail })),
    },
  });
  const offsets = new PartitionOffsets();
  const message = offsets.begin("0");
  assembler.add([span(1, 0, null)], message);
  message.seal();
  clock.advance(ASSEMBLER_DEFAULTS.rootGraceMs);
  assembler.tick();
  const later = async (ms: number) => {
    clock.advance(ms);
    assembler.tick();
    await settle();
  };
  return { assembler, offsets, calls, later };
}

/** Assembler metrics that count what they are told (the rest ignored). */
function countingMetrics() {
  const counts = { failed: 0, abandoned: 0 };
  const metrics: AssemblerMetrics = {
    ...noopMetrics,
    processingFailed: () => counts.failed++,
    traceAbandoned: () => counts.abandoned++,
  };
  return { counts, metrics };
}

describe("a trace whose processing fails", () => {
  it.each([
    ["after the processor released its spans", true, { abandoned: 1, calls: 1 }],
    ["while the assembler still holds its spans", false, { abandoned: 0, calls: 2 }],
  ])("%s", async (_name, released, expected) => {
    const { counts, metrics } = countingMetrics();
    const { assembler, offsets, calls, later } = oneTrace(metrics);
    expect(calls).toHaveLength(1);
    if (released) calls[0]!.progress!.spansReleased(64);
    calls[0]!.fail(new Error("alert could not be kept"));
    await settle();
    await later(1_000);
    expect(counts).toEqual({ failed: 1, abandoned: expected.abandoned });
    expect(assembler.stats()).toMatchObject({
      processingFailures: 1,
      abandonedTraces: expected.abandoned,
    });
    // A retried trace is processed again; an abandoned one never is, and holds its offset for good.
    expect(calls).toHaveLength(expected.calls);
    expect(offsets.pendingCommit()).toBeNull();
  });

  it("counts an abandoned trace in tracewatch_traces_abandoned_total", async () => {
    const registry = new Registry();
    const { assembler } = createIngestMetrics(registry, createMetrics(registry));
    const { calls } = oneTrace(assembler);
    calls[0]!.progress!.spansReleased(64);
    calls[0]!.fail(new Error("alert could not be kept"));
    await settle();
    const text = await registry.metrics();
    expect(text).toContain("tracewatch_traces_abandoned_total 1");
    expect(text).toContain("tracewatch_trace_processing_failures_total 1");
  });
});
