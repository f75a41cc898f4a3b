import { describe, expect, it } from "vitest";
import {
  ANOMALY_CATEGORIES,
  DEFAULT_SCHEDULE,
  activeWindow,
  validateSchedule,
  type AnomalyCategory,
} from "../../../src/sim/schedule.js";

const all = new Set<AnomalyCategory>(ANOMALY_CATEGORIES);

describe("activeWindow", () => {
  it.each([
    [0, null],
    [14_999, null],
    [15_000, "latency_network"],
    [20_999, "latency_network"],
    [21_000, null],
    [23_500, "unusual_path"],
    [31_000, "cascade_failure"],
    [40_000, "latency_cpu"],
    [45_000, "near_miss_errors"],
    [60_000, null],
    [75_000, "latency_network"],
    [91_000, "cascade_failure"],
  ])("at %i ms the default schedule is in %s", (offset, kind) => {
    expect(activeWindow(DEFAULT_SCHEDULE, all, offset)?.window.kind ?? null).toBe(kind);
  });

  it("reports the absolute bounds and the cycle of the occurrence", () => {
    expect(activeWindow(DEFAULT_SCHEDULE, all, 92_000)).toMatchObject({
      cycle: 1,
      startMs: 91_000,
      endMs: 95_000,
    });
  });

  it("ignores windows of disabled categories", () => {
    expect(activeWindow(DEFAULT_SCHEDULE, new Set<AnomalyCategory>(["path"]), 16_000)).toBeNull();
    expect(activeWindow(DEFAULT_SCHEDULE, new Set<AnomalyCategory>(["path"]), 24_000)?.window.kind).toBe(
      "unusual_path",
    );
  });
});

describe("validateSchedule", () => {
  it("accepts the default schedule", () => {
    expect(validateSchedule(DEFAULT_SCHEDULE)).toEqual([]);
  });

  it.each([
    [{ ...DEFAULT_SCHEDULE, periodMs: 0 }, "periodMs must be > 0"],
    [{ ...DEFAULT_SCHEDULE, warmupMs: -1 }, "warmupMs must be >= 0"],
    [
      {
        ...DEFAULT_SCHEDULE,
        windows: [{ kind: "unusual_path" as const, offsetMs: 55_000, durationMs: 10_000, fraction: 1 }],
      },
      "windows[0] must lie inside the period",
    ],
    [
      {
        ...DEFAULT_SCHEDULE,
        windows: [{ kind: "unusual_path" as const, offsetMs: 0, durationMs: 1_000, fraction: 2 }],
      },
      "windows[0].fraction must be in [0, 1]",
    ],
  ])("rejects an invalid schedule (%#)", (schedule, problem) => {
    expect(validateSchedule(schedule)).toContain(problem);
  });
});
