import { describe, expect, it } from "vitest";
import { NO_ATTRIBUTES, type Span } from "../../../src/domain/span.js";
import { endOrdered, SpanHeap } from "../../../src/eval/synthetic-order.js";

function span(trace: number, id: number, startMs: number, endMs: number): Span {
  return {
    traceId: trace.toString(16).padStart(32, "0"),
    spanId: id.toString(16).padStart(16, "0"),
    parentSpanId: null,
    service: "svc",
    name: "op",
    kind: "SERVER",
    startTimeUnixNano: BigInt(startMs) * 1_000_000n,
    endTimeUnixNano: BigInt(endMs) * 1_000_000n,
    status: "UNSET",
    attributes: NO_ATTRIBUTES,
  };
}

const ends = (spans: Iterable<Span>): number[] =>
  [...spans].map((s) => Number(s.endTimeUnixNano / 1_000_000n));

describe("SpanHeap", () => {
  it.each([
    { name: "ascending input", input: [1, 2, 3, 4] },
    { name: "descending input", input: [9, 7, 5, 3, 1] },
    { name: "duplicates", input: [4, 1, 4, 2, 1, 9, 0] },
  ])("pops spans in end-time order ($name)", ({ input }) => {
    const heap = new SpanHeap();
    input.forEach((end, i) => heap.push(span(1, i + 1, 0, end)));
    const out: Span[] = [];
    for (let s = heap.pop(); s !== undefined; s = heap.pop()) out.push(s);
    expect(ends(out)).toEqual([...input].sort((a, b) => a - b));
    expect(heap.size).toBe(0);
    expect(heap.peekEnd()).toBeNull();
  });
});

describe("endOrdered", () => {
  it("emits every span of traces given in start order, in end-time order", () => {
    const traces = [
      { spans: [span(1, 1, 0, 50), span(1, 2, 5, 10)] },
      { spans: [span(2, 3, 20, 25), span(2, 4, 21, 100)] },
      { spans: [span(3, 5, 30, 31)] },
    ];
    expect(ends(endOrdered(traces))).toEqual([10, 25, 31, 50, 100]);
  });

  it("releases spans ending before the next trace starts without reading further input", () => {
    function* traces() {
      yield { spans: [span(1, 1, 0, 10)] };
      yield { spans: [span(2, 2, 20, 30)] };
      throw new Error("read past the point where the first span could be released");
    }
    const gen = endOrdered(traces());
    expect(ends([gen.next().value as Span])).toEqual([10]);
  });
});
