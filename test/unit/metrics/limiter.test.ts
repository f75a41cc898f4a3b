import { describe, expect, it } from "vitest";
import { OVERFLOW, SeriesTable } from "../../../src/metrics/limiter.js";

const table = (limit: number, onOverflow?: () => void) =>
  new SeriesTable<"a" | "b", { labels: Record<string, string>; n: number }>(
    ["a", "b"],
    limit,
    (labels) => ({ labels, n: 0 }),
    onOverflow,
  );

describe("SeriesTable", () => {
  it("admits the first N distinct label sets and folds later ones into __overflow__", () => {
    let overflows = 0;
    const t = table(2, () => overflows++);
    expect(t.get(["1", "x"]).labels).toEqual({ a: "1", b: "x" });
    expect(t.get(["2", "x"]).labels).toEqual({ a: "2", b: "x" });
    expect(t.get(["3", "x"]).labels).toEqual({ a: OVERFLOW, b: OVERFLOW });
    expect(t.get(["4", "y"])).toBe(t.get(["3", "x"]));
    expect(t.get(["1", "x"]).labels).toEqual({ a: "1", b: "x" });
    expect(overflows).toBe(3);
    expect(t.size).toBe(2);
    expect([...t.entries()].map((s) => s.labels.a)).toEqual(["1", "2", OVERFLOW]);
  });

  it("returns the same series for the same label values", () => {
    const t = table(5);
    t.get(["a", "b"]).n += 1;
    t.get(["a", "b"]).n += 1;
    expect(t.get(["a", "b"]).n).toBe(2);
  });

  it("does not confuse label sets whose joined values collide", () => {
    const t = table(1);
    t.get(["x y", "z"]);
    expect(t.get(["x", "y z"]).labels).toEqual({ a: OVERFLOW, b: OVERFLOW });
  });

  it("forgets every series on clear", () => {
    const t = table(1);
    t.get(["a", "b"]);
    t.get(["c", "d"]);
    t.clear();
    expect([...t.entries()]).toEqual([]);
    expect(t.get(["c", "d"]).labels).toEqual({ a: "c", b: "d" });
  });

  it.each([0, -1, 1.5])("refuses limit %s", (limit) => {
    expect(() => table(limit)).toThrow(RangeError);
  });
});
