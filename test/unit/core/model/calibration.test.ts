import { describe, expect, it } from "vitest";
import { buildCalibration, calibrate } from "../../../../src/core/model/calibration.js";

describe("calibration", () => {
  const scores = Array.from({ length: 1000 }, (_, i) => 0.3 + i / 2000);
  const cal = buildCalibration(scores);

  it.each([
    { raw: 0.1, want: 0 },
    { raw: 0.3, want: 0 },
    { raw: 0.3 + 500 / 2000, want: 0.5 },
    { raw: 0.3 + 950 / 2000, want: 0.95 },
    { raw: 0.8, want: 1 },
    { raw: 2, want: 1 },
  ])("maps raw $raw to the fraction of training scores at or below it ($want)", ({ raw, want }) => {
    expect(calibrate(cal, raw)).toBeCloseTo(want, 2);
  });

  it("is monotone in the raw score", () => {
    let prev = -1;
    for (let r = 0.2; r < 0.9; r += 0.001) {
      const c = calibrate(cal, r);
      expect(c).toBeGreaterThanOrEqual(prev);
      prev = c;
    }
  });

  it("puts a score on a plateau of ties at the top of the plateau", () => {
    const tied = buildCalibration([
      ...Array(90).fill(0.4),
      ...Array.from({ length: 10 }, (_, i) => 0.5 + i / 100),
    ]);
    expect(calibrate(tied, 0.4)).toBeCloseTo(0.89, 1);
  });

  it("keeps at most the requested number of points", () => {
    expect(buildCalibration(scores, 101).quantiles.length).toBe(101);
    expect(buildCalibration([1, 2, 3]).quantiles.length).toBe(3);
  });
});
