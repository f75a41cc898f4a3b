import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/core/clock.js";
import { CooldownWindows } from "../../../../src/core/alerts/dedup.js";

describe("CooldownWindows", () => {
  it("admits a key once per window and carries the suppressed count into the next alert", () => {
    const clock = new ManualClock(1_000);
    const w = new CooldownWindows({ clock, cooldownMs: 60_000 });
    expect(w.admit(["a->b"])).toEqual({ admitted: ["a->b"], suppressed: [], suppressedSinceLast: 0 });
    clock.advance(1_000);
    expect(w.admit(["a->b"]).admitted).toEqual([]);
    expect(w.admit(["a->b", "c->d"])).toEqual({
      admitted: ["c->d"],
      suppressed: ["a->b"],
      suppressedSinceLast: 0,
    });
    clock.advance(59_000);
    expect(w.admit(["a->b"])).toEqual({ admitted: ["a->b"], suppressed: [], suppressedSinceLast: 2 });
    expect(w.admit(["c->d"]).admitted).toEqual([]);
  });

  it("does not deduplicate with a zero cooldown", () => {
    const w = new CooldownWindows({ clock: new ManualClock(), cooldownMs: 0 });
    expect(w.admit(["k"]).admitted).toEqual(["k"]);
    expect(w.admit(["k"]).admitted).toEqual(["k"]);
    expect(w.size).toBe(0);
  });

  it("forgets expired windows and never holds more than maxKeys", () => {
    const clock = new ManualClock();
    const w = new CooldownWindows({ clock, cooldownMs: 10, maxKeys: 3 });
    for (const k of ["a", "b", "c", "d", "e"]) w.admit([k]);
    expect(w.size).toBe(3);
    expect(w.admit(["a"]).admitted).toEqual(["a"]);
    clock.advance(10);
    w.admit(["z"]);
    expect(w.size).toBe(1);
  });

  it("keeps the suppressed counts of at most maxKeys closed windows, forgetting the oldest", () => {
    const clock = new ManualClock();
    const w = new CooldownWindows({ clock, cooldownMs: 10, maxKeys: 2 });
    for (const pair of [
      ["a", "b"],
      ["c", "d"],
    ]) {
      w.admit(pair);
      expect(w.admit(pair).suppressed).toEqual(pair);
      clock.advance(10);
    }
    w.admit(["e"]);
    expect(w.admit(["a"]).suppressedSinceLast).toBe(0);
    expect(w.admit(["c"]).suppressedSinceLast).toBe(1);
  });

  it("expires windows in the order they opened however many came and went", () => {
    const clock = new ManualClock();
    const w = new CooldownWindows({ clock, cooldownMs: 100 });
    for (let i = 0; i < 5_000; i++) {
      w.admit([`k${i}`]);
      clock.advance(1);
    }
    expect(w.size).toBe(100);
    // At 5,000 ms the window k4900 opened at 4,900 ms has closed; k4901's is still open.
    expect(w.admit(["k4900"]).admitted).toEqual(["k4900"]);
    expect(w.admit(["k4901"]).admitted).toEqual([]);
  });
});
