import { describe, expect, it } from "vitest";
import { MinHeap } from "../../../src/sim/min-heap.js";

interface Item {
  readonly key: number;
  readonly id: number;
}

describe("MinHeap", () => {
  it.each([
    { name: "empty", keys: [] },
    { name: "one item", keys: [5] },
    { name: "ascending input", keys: [1, 2, 3, 4, 5] },
    { name: "descending input", keys: [9, 7, 5, 3, 1] },
    { name: "duplicates", keys: [4, 1, 4, 2, 1, 9, 0, 4] },
    { name: "scrambled", keys: Array.from({ length: 100 }, (_, i) => (i * 37) % 101) },
  ])("pops every item in key order ($name)", ({ keys }) => {
    const heap = new MinHeap<Item>((a, b) => a.key < b.key);
    keys.forEach((key, id) => heap.push({ key, id }));
    expect(heap.size).toBe(keys.length);
    const out: Item[] = [];
    for (let item = heap.pop(); item !== undefined; item = heap.pop()) out.push(item);
    expect(out.map((i) => i.key)).toEqual([...keys].sort((a, b) => a - b));
    expect(new Set(out.map((i) => i.id)).size).toBe(keys.length);
    expect(heap.size).toBe(0);
    expect(heap.peek()).toBeUndefined();
  });

  it("peeks at the item pop returns next, while pushes and pops interleave", () => {
    const heap = new MinHeap<number>((a, b) => a < b);
    const popped: number[] = [];
    for (const k of [5, 3, 8, 1]) heap.push(k);
    popped.push(heap.peek()!, heap.pop()!);
    for (const k of [0, 7]) heap.push(k);
    while (heap.size > 0) {
      const next = heap.peek();
      expect(heap.pop()).toBe(next);
      popped.push(next!);
    }
    expect(popped).toEqual([1, 1, 0, 3, 5, 7, 8]);
  });
});
