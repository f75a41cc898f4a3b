import { describe, expect, it } from "vitest";
import { RecentDecisions } from "../../../../src/core/assembler/decisions.js";

describe("RecentDecisions", () => {
  it.each([
    { capacity: 3, added: ["a", "b"], remembered: ["a", "b"], forgotten: ["c"] },
    { capacity: 3, added: ["a", "b", "c", "d"], remembered: ["b", "c", "d"], forgotten: ["a"] },
    {
      capacity: 3,
      added: ["a", "b", "c", "d", "e", "f", "g"],
      remembered: ["e", "f", "g"],
      forgotten: ["a", "b", "c", "d"],
    },
    { capacity: 2, added: ["a", "a", "b", "c"], remembered: ["b", "c"], forgotten: ["a"] },
    { capacity: 0, added: ["a"], remembered: [], forgotten: ["a"] },
  ])(
    "with capacity $capacity after $added remembers $remembered",
    ({ capacity, added, remembered, forgotten }) => {
      const decisions = new RecentDecisions(capacity);
      for (const id of added) decisions.add(id);
      for (const id of remembered) expect(decisions.has(id)).toBe(true);
      for (const id of forgotten) expect(decisions.has(id)).toBe(false);
    },
  );

  it("forgets everything on clear and fills up again from empty", () => {
    const decisions = new RecentDecisions(2);
    for (const id of ["a", "b", "c"]) decisions.add(id);
    decisions.clear();
    expect(decisions.has("b")).toBe(false);
    expect(decisions.has("c")).toBe(false);
    for (const id of ["x", "y", "z"]) decisions.add(id);
    expect(["x", "y", "z"].map((id) => decisions.has(id))).toEqual([false, true, true]);
  });
});
