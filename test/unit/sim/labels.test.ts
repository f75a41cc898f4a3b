import { describe, expect, it } from "vitest";
import {
  expectedAlertType,
  labelToNdjson,
  makeLabel,
  parseLabels,
  type TraceLabelKind,
} from "../../../src/sim/labels.js";

describe("trace labels", () => {
  it.each<[TraceLabelKind, string | null]>([
    ["normal", null],
    ["latency_spike", "latency_spike"],
    ["unusual_path", "unusual_path"],
    ["cascade_failure", "cascade_failure"],
    ["near_miss_slow", null],
    ["near_miss_errors", null],
  ])("expects %s to raise %s", (label, alert) => {
    expect(expectedAlertType(label)).toBe(alert);
  });

  it("writes one NDJSON line per trace and reads it back", () => {
    const a = makeLabel(
      "a".repeat(32),
      { kind: "cascade_failure", origin: "payment", windowStartMs: 5, windowEndMs: 9 },
      7,
      "place_order",
    );
    const b = makeLabel("b".repeat(32), { kind: "none" }, 8, "search");
    const text = labelToNdjson(a) + labelToNdjson(b);
    expect(text.split("\n")).toHaveLength(3);
    expect(parseLabels(text)).toEqual([a, b]);
    expect(a).toEqual({
      traceId: "a".repeat(32),
      label: "cascade_failure",
      injected: { origin: "payment", windowStartMs: 5, windowEndMs: 9 },
      startTimeMs: 7,
      requestType: "place_order",
    });
    expect(b.label).toBe("normal");
  });

  it("names the line of a malformed label", () => {
    expect(() =>
      parseLabels(
        '{"traceId":"x","label":"normal","startTimeMs":1}\n{"traceId":"y","label":"weird","startTimeMs":1}\n',
      ),
    ).toThrow(/line 2/);
  });
});
