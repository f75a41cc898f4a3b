import type { Span } from "../domain/span.js";

/** A trace whose spans are re-ordered (the simulator's traces fit). */
export interface TimedTrace {
  readonly spans: readonly Span[];
}

/** Binary min-heap of spans by end time (ties keep no particular order). */
export class SpanHeap {
  private readonly items: Span[] = [];

  get size(): number {
    return this.items.length;
  }

  push(span: Span): void {
    const a = this.items;
    a.push(span);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]!.endTimeUnixNano <= a[i]!.endTimeUnixNano) break;
      [a[parent], a[i]] = [a[i]!, a[parent]!];
      i = parent;
    }
  }

  /** End time (ns) of the earliest-ending span, or null when empty. */
  peekEnd(): bigint | null {
    return this.items[0]?.endTimeUnixNano ?? null;
  }

  pop(): Span | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && a[l]!.endTimeUnixNano < a[m]!.endTimeUnixNano) m = l;
      if (r < a.length && a[r]!.endTimeUnixNano < a[m]!.endTimeUnixNano) m = r;
      if (m === i) break;
      [a[m], a[i]] = [a[i]!, a[m]!];
      i = m;
    }
    return top;
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
