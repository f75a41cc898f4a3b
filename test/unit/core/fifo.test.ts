import { describe, expect, it } from "vitest";
import { Fifo } from "../../../src/core/fifo.js";

describe("Fifo", () => {
  it("keeps order across compaction of a long-lived queue", () => {
    const q = new Fifo<number>();
    const out: number[] = [];
    for (let i = 0; i < 5_000; i += 1) {
      q.push(i);
      if (i % 3 !== 0) out.push(q.shift()!);
    }
    expect(q.size).toBe(5_000 - out.length);
    expect(q.peek()).toBe(out.length);
    for (let item = q.shift(); item !== undefined; item = q.shift()) out.push(item);
    expect(out).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
    expect(q.size).toBe(0);
    expect(q.shift()).toBeUndefined();
    expect(q.peek()).toBeUndefined();
  });
});
