import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/core/clock.js";

describe("ManualClock", () => {
  it("moves only forward", () => {
    const clock = new ManualClock(1_000);
    clock.advance(500);
    expect(clock.now()).toBe(1_500);
    clock.set(1_200);
    expect(clock.now()).toBe(1_500);
    clock.advance(-10);
    expect(clock.now()).toBe(1_500);
    clock.set(2_000);
    expect(clock.now()).toBe(2_000);
  });
});
