import type { Span } from "../domain/span.js";
import { MinHeap } from "../sim/min-heap.js";

/** A trace whose spans are re-ordered (the simulator's traces fit). */
export interface TimedTrace {
  readonly spans: readonly Span[];
}

/** Spans by end time, earliest first (ties keep no particular order). */
export class SpanHeap extends MinHeap<Span> {
  constructor() {
    super((a, b) => a.endTimeUnixNano < b.endTimeUnixNano);
  }

  /** End time (ns) of the earliest-ending span, or null when empty. */
  peekEnd(): bigint | null {
    return this.peek()?.endTimeUnixNano ?? null;
  }
}

function rootStart(spans: readonly Span[]): bigint | null {
  let start: bigint | null = null;
  for (const s of spans) if (start === null || s.startTimeUnixNano < start) start = s.startTimeUnixNano;
  return start;
}

/**
 * Re-orders the spans of traces that arrive in start order into end-time order, the order in
 * which a collector receives them (a span is exported when it ends), with bounded memory: once a
 * trace starting at `s` has been seen, every span ending at or before `s` can be released, since
 * later traces start (and so end) no earlier.
 */
export function* endOrdered(traces: Iterable<TimedTrace>): Generator<Span> {
  const heap = new SpanHeap();
  for (const trace of traces) {
    const start = rootStart(trace.spans);
    if (start !== null) {
      for (let end = heap.peekEnd(); end !== null && end <= start; end = heap.peekEnd()) yield heap.pop()!;
    }
    for (const s of trace.spans) heap.push(s);
  }
  while (heap.size > 0) yield heap.pop()!;
}
