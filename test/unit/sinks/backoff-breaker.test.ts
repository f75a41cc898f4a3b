import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/core/clock.js";
import { backoffDelay } from "../../../src/sinks/backoff.js";
import { CircuitBreaker, type CircuitState } from "../../../src/sinks/circuit-breaker.js";

describe("backoffDelay", () => {
  const cases: [number, number, number | undefined, number][] = [
    [1, 0.999, undefined, 499],
    [2, 0.999, undefined, 999],
    [3, 0.5, undefined, 1000],
    [20, 0.999, undefined, 29_970],
    [1, 0, undefined, 0],
    [1, 0, 2_000, 2_000],
    [1, 0, 99_000, 30_000],
  ];
  it.each(cases)(
    "after %i failures with random %f and Retry-After %s waits %i ms",
    (n, r, after, expected) => {
      expect(backoffDelay(n, { initialMs: 500, maxMs: 30_000 }, () => r, after)).toBe(expected);
    },
  );
});

describe("CircuitBreaker", () => {
  it("opens after consecutive failures, lets one probe through after the pause, closes on success", () => {
    const clock = new ManualClock(0);
    const changes: CircuitState[] = [];
    const b = new CircuitBreaker({
      clock,
      failureThreshold: 3,
      openMs: 1_000,
      onChange: (s) => changes.push(s),
    });
    b.failure();
    b.failure();
    b.success();
    b.failure();
    b.failure();
    expect(b.tryAcquire()).toBe(true);
    b.failure();
    expect(b.current).toBe("open");
    expect(b.tryAcquire()).toBe(false);
    expect(b.waitMs()).toBe(1_000);
    clock.advance(1_000);
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    b.failure();
    expect(b.current).toBe("open");
    clock.advance(1_000);
    expect(b.tryAcquire()).toBe(true);
    b.success();
    expect(b.tryAcquire()).toBe(true);
    expect(changes).toEqual(["open", "half_open", "open", "half_open", "closed"]);
  });
});
