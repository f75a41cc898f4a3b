import { describe, expect, it, vi } from "vitest";
import { spanDurationMs } from "../../../src/domain/span.js";
import { TraceAssembler } from "../../../src/core/assembler/assembler.js";
import type { AckToken } from "../../../src/core/assembler/types.js";
import { cascadeTrace, deferred, pipelineWithSink, state, wait } from "./helpers.js";
import type { CompletedTrace } from "../../../src/domain/trace.js";

const delivered = { ok: true } as const;
const rejected = { ok: false, retriable: false, error: "HTTP 400" } as const;

describe("TracePipeline acknowledgement", () => {
  it("stays pending while the sink delivers the alert and resolves once it is delivered", async () => {
    const { pipeline, deliverer } = pipelineWithSink();
    const done = pipeline.process(cascadeTrace(1));
    await wait(5);
    expect(deliverer.attempts.map((a) => a.alert.type)).toEqual(["cascade_failure"]);
    expect(await state(done)).toBe("pending");
    deliverer.attempts[0]!.answer.resolve(delivered);
    await expect(done).resolves.toBeUndefined();
  });

  it("resolves only once the dead letter of an undeliverable alert is written", async () => {
    const { pipeline, deliverer, deadLetters } = pipelineWithSink();
    const done = pipeline.process(cascadeTrace(2));
    await wait(5);
    deliverer.attempts[0]!.answer.resolve(rejected);
    await wait(5);
    expect(deadLetters.writes.map((w) => w.letter.reason)).toEqual(["permanent_error"]);
    expect(await state(done)).toBe("pending");
    deadLetters.writes[0]!.done.resolve();
    await expect(done).resolves.toBeUndefined();
  });

  it("never resolves while the dead-letter write fails, and rejects when the sink gives up at shutdown", async () => {
    const { pipeline, sink, deliverer, deadLetters } = pipelineWithSink();
    deadLetters.failing = true;
    const done = pipeline.process(cascadeTrace(3));
    await wait(5);
    deliverer.attempts[0]!.answer.resolve(rejected);
    await wait(300);
    expect(await state(done)).toBe("pending");
    await sink.shutdown();
    await expect(done).rejects.toMatchObject({ code: "TW_SINK_DELIVERY_FAILED" });
  });

  it("scores later traces while an earlier one waits for its delivery", async () => {
    const { pipeline, sink, scored } = pipelineWithSink();
    const first = pipeline.process(cascadeTrace(4));
    for (let n = 5; n < 15; n++) void pipeline.process(cascadeTrace(n));
    // Scoring and enqueueing are synchronous: all eleven are scored before any delivery started.
    expect(scored).toHaveLength(11);
    expect(sink.backlog()).toBe(11);
    expect(await state(first)).toBe("pending");
  });

  it("holds a rejected scored output until the trace's alerts are kept, then rejects for a retry", async () => {
    const output = deferred<void>();
    const { pipeline, deliverer } = pipelineWithSink({ scored: () => output.promise });
    const done = pipeline.process(cascadeTrace(15));
    output.reject(new Error("features topic unavailable"));
    await wait(5);
    expect(await state(done)).toBe("pending");
    deliverer.attempts[0]!.answer.resolve(delivered);
    await expect(done).rejects.toThrow("features topic unavailable");
  });

  it("acknowledges a re-read copy of a trace only after the first copy's alerts are delivered", async () => {
    const { pipeline, deliverer } = pipelineWithSink();
    const first = pipeline.process(cascadeTrace(16));
    // A rebalance re-reads the trace: cooldown suppresses its alert, yet its offsets must wait.
    const again = pipeline.process(cascadeTrace(16));
    await wait(5);
    expect(deliverer.attempts).toHaveLength(1);
    expect(await state(again)).toBe("pending");
    deliverer.attempts[0]!.answer.resolve(delivered);
    await expect(Promise.all([first, again])).resolves.toBeDefined();
  });
});

/** An acknowledgement token that counts its holds. */
function token(): AckToken & { holds: number } {
  return {
    holds: 1,
    hold() {
      this.holds++;
    },
    release() {
      this.holds--;
    },
  };
}

describe("TracePipeline behind the assembler", () => {
  function assembled(outputs: Parameters<typeof pipelineWithSink>[0] = {}) {
    const setup = pipelineWithSink(outputs);
    let calls = 0;
    const assembler = new TraceAssembler({
      clock: setup.clock,
      processor: {
        process: (trace, progress) => (calls++, setup.pipeline.process(trace, progress)),
      },
      retryDelayMs: 1,
    });
    const ack = token();
    assembler.add(cascadeTrace(30).spans, ack);
    ack.release(); // the source's own hold: every span of the message was handed over
    const bytes = assembler.stats().bufferedBytes;
    setup.clock.advance(60_000);
    assembler.tick();
    return { ...setup, assembler, ack, bytes, calls: () => calls };
  }

  it("releases a waiting trace's spans: in-flight bytes drop to what its alert keeps", async () => {
    const { assembler, ack, bytes, deliverer } = assembled();
    expect(assembler.stats().inFlightBytes).toBe(bytes);
    await wait(5);
    expect(assembler.stats()).toMatchObject({ inFlightTraces: 1, inFlightBytes: 512 + 5_120 });
    expect(ack.holds).toBe(1);
    deliverer.attempts[0]!.answer.resolve(delivered);
    await assembler.whenIdle();
    expect(ack.holds).toBe(0);
  });

  it.each([
    ["acknowledged", () => undefined],
    ["rejected", () => Promise.reject(new Error("features topic unavailable"))],
  ])(
    "leaves a trace whose alert could not be kept unacknowledged and does not score it again (scored output %s)",
    async (_case, scored) => {
      const { assembler, ack, sink, deliverer, deadLetters, clock, calls } = assembled({ scored });
      deadLetters.failing = true;
      await wait(5);
      deliverer.attempts[0]!.answer.resolve(rejected);
      await sink.shutdown();
      await assembler.whenIdle();
      for (let i = 0; i < 5; i++) {
        clock.advance(60_000);
        assembler.tick();
        await wait(1);
      }
      expect(calls()).toBe(1);
      expect(ack.holds).toBe(1);
      expect(assembler.stats()).toMatchObject({ inFlightTraces: 0, processingFailures: 1 });
    },
  );
});

describe("TracePipeline scored output", () => {
  it("hands over each span's parent index for a trace needing no repair, and none for a repaired one", async () => {
    const links: (readonly number[] | undefined)[] = [];
    const { pipeline, deliverer } = pipelineWithSink({
      scored: (_s, _t, parentOf) => void links.push(parentOf === undefined ? undefined : [...parentOf]),
    });
    const clean = cascadeTrace(40);
    void pipeline.process(clean);
    // A repeated span id: the graph ignores the copy, so the links are not the trace's own.
    const repeated = cascadeTrace(41);
    void pipeline.process({ ...repeated, spans: [...repeated.spans, repeated.spans[2]!] });
    await wait(5);
    for (const a of deliverer.attempts) a.answer.resolve(delivered);
    expect(links).toEqual([[-1, 0, 1, 2, 3, 4], undefined]);
  });
});

describe("TracePipeline scored output: span durations", () => {
  it("hands over each span's duration in ns (spanDurationMs × 10^6, bit for bit) with the links, none for a repaired trace", async () => {
    const got: (readonly number[] | undefined)[] = [];
    const want: number[][] = [];
    const { pipeline, deliverer } = pipelineWithSink({
      scored: (_s, t, parentOf, spanNs) => {
        expect(spanNs === undefined).toBe(parentOf === undefined);
        got.push(spanNs === undefined ? undefined : [...spanNs].map((ns) => ns / 1e6));
        want.push(t.spans.map(spanDurationMs));
      },
    });
    // Times past 2^53 ns (real Unix times), across a 32-bit boundary of the low halves, and a
    // span ending before it starts.
    const base = cascadeTrace(42);
    const t0 = 1_765_000_000_123_456_789n;
    const odd = [0n, 4_294_967_295n, 1n, 999_999_999_999n, 7n, 2n ** 40n + 3n];
    const timed = {
      ...base,
      spans: base.spans.map((s, i) => ({
        ...s,
        startTimeUnixNano: t0 + BigInt(i) * 1_000n,
        endTimeUnixNano: i === 3 ? t0 - 5n : t0 + BigInt(i) * 1_000n + odd[i % odd.length]!,
      })),
    };
    void pipeline.process(timed);
    void pipeline.process(cascadeTrace(43));
    const repeated = cascadeTrace(44);
    void pipeline.process({ ...repeated, spans: [...repeated.spans, repeated.spans[2]!] });
    await wait(5);
    for (const a of deliverer.attempts) a.answer.resolve(delivered);
    expect(got.length).toBe(3);
    expect(got[0]).toEqual(want[0]);
    expect(got[1]).toEqual(want[1]);
    expect(got[2]).toBeUndefined();
  });
});

describe("TracePipeline: the training window learns after the rules", () => {
  it("tells the detector whether a rule matched each trace", () => {
    const { pipeline, core } = pipelineWithSink();
    const observe = vi.spyOn(core.detector, "observe");
    const failing = cascadeTrace(40);
    const quiet = cascadeTrace(41);
    const ok = { ...quiet, spans: quiet.spans.map((s) => ({ ...s, status: "OK" as const })) };
    // No model yet: the rules that need one are warming up, which is no match.
    const matched = (t: CompletedTrace) =>
      pipeline
        .evaluate(t)
        .decisions.map((d) => d.kind)
        .filter((k) => k !== "warming_up");
    expect(matched(failing)).toEqual(["emit"]);
    expect(matched(ok)).toEqual([]);
    expect(observe.mock.calls.map((c) => [c[0].traceId, c[3]])).toEqual([
      [failing.traceId, true],
      [ok.traceId, false],
    ]);
  });
});
