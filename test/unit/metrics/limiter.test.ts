import { describe, expect, it } from "vitest";
import { LabelLimiter, OVERFLOW } from "../../../src/metrics/limiter.js";

describe("LabelLimiter", () => {
  it("admits the first N distinct label sets and folds later ones into __overflow__", () => {
    let overflows = 0;
    const limiter = new LabelLimiter(["a", "b"], 2, () => overflows++);
    expect(limiter.admit({ a: "1", b: "x" })).toEqual({ a: "1", b: "x" });
    expect(limiter.admit({ a: "2", b: "x" })).toEqual({ a: "2", b: "x" });
    expect(limiter.admit({ a: "3", b: "x" })).toEqual({ a: OVERFLOW, b: OVERFLOW });
    expect(limiter.admit({ a: "1", b: "x" })).toEqual({ a: "1", b: "x" });
    expect(overflows).toBe(1);
    expect(limiter.size).toBe(2);
  });

  it("does not confuse label sets whose joined values collide", () => {
    const limiter = new LabelLimiter(["a", "b"], 1);
    limiter.admit({ a: "x y", b: "z" });
    expect(limiter.admit({ a: "x", b: "y z" })).toEqual({ a: OVERFLOW, b: OVERFLOW });
  });

  it.each([0, -1, 1.5])("refuses limit %s", (limit) => {
    expect(() => new LabelLimiter(["a"], limit)).toThrow(RangeError);
  });
});
