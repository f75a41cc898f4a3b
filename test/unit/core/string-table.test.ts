import { describe, expect, it } from "vitest";
import { spanGraph } from "../../../src/core/features/span-graph.js";
import { Prng } from "../../../src/core/model/prng.js";
import { StringTable } from "../../../src/core/string-table.js";
import type { Span } from "../../../src/domain/span.js";
import { span } from "./alerts/spans.js";

/** How a random trace's ids are drawn. */
type IdStyle = "random" | "repeats" | "same_tail" | "short";

function randomId(rng: Prng, style: IdStyle, i: number): string {
  const hex = (digits: number): string =>
    Array.from({ length: digits }, () => "0123456789abcdef"[rng.int(16)]).join("");
  switch (style) {
    case "random":
      return hex(16);
    case "repeats":
      // Few distinct ids: many duplicates.
      return (rng.int(8) + 1).toString(16).padStart(16, "0");
    case "same_tail":
      // Ids that differ only before their last characters.
      return hex(12) + "beef";
    case "short":
      return i % 5 === 0 ? "" : hex(rng.int(4));
  }
}

/** A random trace: ids of the given style, parents among the ids (or absent ones, or none). */
function randomTrace(rng: Prng, n: number, style: IdStyle): Span[] {
  const ids = Array.from({ length: n }, (_, i) => randomId(rng, style, i));
  return ids.map((id, i) => {
    const r = rng.next();
    const parentSpanId = r < 0.1 ? null : r < 0.2 ? randomId(rng, style, i) : (ids[rng.int(n)] as string);
    return { ...span(i + 1, null, `svc-${i % 4}`, i, i + 10), spanId: id, parentSpanId };
  });
}

/** The straightforward index: a Map of the first span with each id. */
function reference(spans: readonly Span[]): { first: Map<string, number>; duplicate: boolean[] } {
  const first = new Map<string, number>();
  const duplicate = spans.map((s, i) => {
    if (first.has(s.spanId)) return true;
    first.set(s.spanId, i);
    return false;
  });
  return { first, duplicate };
}

const STYLES: readonly IdStyle[] = ["random", "repeats", "same_tail", "short"];

describe("StringTable", () => {
  it("finds what a Map of the first value per key finds, on random traces of every id style", () => {
    const rng = new Prng(7);
    const table = new StringTable();
    for (let round = 0; round < 400; round++) {
      const style = STYLES[round % STYLES.length] as IdStyle;
      const n = rng.int(round % 50 === 0 ? 3_000 : round % 10 === 0 ? 600 : 40);
      const spans = randomTrace(rng, n, style);
      // Sized too small now and then: the table grows.
      table.reset(round % 7 === 0 ? rng.int(n + 1) : n);
      const ref = reference(spans);
      spans.forEach((s, i) => {
        const added = table.add(s.spanId, i);
        expect(added).toBe(ref.duplicate[i] ? ref.first.get(s.spanId) : -1);
      });
      spans.forEach((s) => {
        expect(table.find(s.spanId)).toBe(ref.first.get(s.spanId));
        const parent = s.parentSpanId;
        if (parent !== null) expect(table.find(parent)).toBe(ref.first.get(parent) ?? -1);
      });
      for (let k = 0; k < 20; k++) {
        const absent = randomId(rng, style, k);
        expect(table.find(absent)).toBe(ref.first.get(absent) ?? -1);
      }
      if (round % 2 === 0) table.release();
    }
  });

  it("finds nothing once reset or released", () => {
    const table = new StringTable();
    table.reset(2);
    table.add("a", 1);
    table.reset(2);
    expect(table.find("a")).toBe(-1);
    table.add("b", 2);
    table.release();
    expect(table.find("b")).toBe(-1);
  });
});

describe("spanGraph in a reused store", () => {
  it("equals the graph in arrays of its own, whatever the store held before", () => {
    const rng = new Prng(11);
    const store = { parentOf: new Int32Array(700).fill(5), roles: new Uint8Array(700).fill(2) };
    for (let round = 0; round < 200; round++) {
      const style = STYLES[round % STYLES.length] as IdStyle;
      const spans = randomTrace(rng, rng.int(round % 10 === 0 ? 600 : 40), style);
      const own = spanGraph(spans);
      const reused = spanGraph(spans, store);
      // A store's arrays may be longer than the trace.
      expect([...reused.parentOf.subarray(0, spans.length)]).toEqual([...own.parentOf]);
      expect([...reused.roles.subarray(0, spans.length)]).toEqual([...own.roles]);
      expect(reused.duplicates).toBe(own.duplicates);
      expect(reused.cycles).toBe(own.cycles);
    }
  });
});
