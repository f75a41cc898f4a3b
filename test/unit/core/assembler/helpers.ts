import { ManualClock } from "../../../../src/core/clock.js";
import { TraceAssembler, type TraceAssemblerOptions } from "../../../../src/core/assembler/index.js";
import type { Span } from "../../../../src/domain/span.js";
import type { CompletedTrace } from "../../../../src/domain/trace.js";

export function span(
  traceNo: number,
  spanNo: number,
  parentNo: number | null,
  extra: Partial<Span> = {},
): Span {
  return {
    traceId: traceNo.toString(16).padStart(32, "0"),
    spanId: (spanNo + 1).toString(16).padStart(16, "0"),
    parentSpanId: parentNo === null ? null : (parentNo + 1).toString(16).padStart(16, "0"),
    service: "svc",
    name: "op",
    kind: "INTERNAL",
    startTimeUnixNano: 1_000n,
    endTimeUnixNano: 2_000n,
    status: "UNSET",
    attributes: {},
    ...extra,
  };
}

/** An assembler on a manual clock whose processor records traces and acknowledges at once. */
export function setup(options: Partial<TraceAssemblerOptions> = {}) {
  const clock = new ManualClock(1_000_000);
  const delivered: CompletedTrace[] = [];
  const assembler = new TraceAssembler({
    clock,
    processor: {
      process: async (trace) => {
        delivered.push(trace);
      },
    },
    ...options,
  });
  const advance = async (ms: number) => {
    clock.advance(ms);
    assembler.tick();
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
  };
  return { clock, assembler, delivered, advance };
}
