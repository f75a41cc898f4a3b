import { describe, expect, it } from "vitest";
import { pacer } from "../../../src/model/train-worker.js";

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe("worker pacer", () => {
  it.each([1, 0, 2, Number.NaN])("does not pace with duty cycle %s", (duty) => {
    expect(pacer(duty)).toBeUndefined();
  });

  it("sleeps so that work takes about the duty cycle of wall time", () => {
    const pace = pacer(0.5);
    if (pace === undefined) throw new Error("expected a pacer");
    const t = performance.now();
    for (let i = 0; i < 10; i++) {
      busy(5);
      pace();
    }
    const wall = performance.now() - t;
    // 50 ms of work at 50%: about 100 ms of wall time.
    expect(wall).toBeGreaterThanOrEqual(95);
  });
});
