import { describe, expect, it } from "vitest";
import { HistogramState } from "../../../src/metrics/aggregate.js";

describe("HistogramState", () => {
  it.each([
    [0, 0],
    [5, 1],
    [5.0001, 2],
    [10, 2],
    [11, 3],
    [1e9, 3],
  ])("counts %d in bucket %d (upper bounds are inclusive, the last is +Inf)", (value, bucket) => {
    const h = new HistogramState([0, 5, 10]);
    h.observe(value);
    expect([...h.counts].indexOf(1)).toBe(bucket);
    expect(h.count).toBe(1);
    expect(h.sum).toBe(value);
  });
});
