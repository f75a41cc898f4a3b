import { describe, expect, it } from "vitest";
import { alertDescription, formatDuration } from "../../../../src/core/alerts/describe.js";
import { sampleAlerts } from "../../sinks/sample-alerts.js";

describe("alert description", () => {
  it("is filled with the trace's evidence by the alerter (it was empty)", () => {
    const [a] = sampleAlerts(1);
    expect(a!.description).toContain(`latency_spike (high) on trace ${a!.traceId}`);
    expect(a!.description).toContain("x its p99 of 100 ms");
    expect(a!.description).toContain("anomaly score 0.990");
  });

  it("starts with the rule's own description when it has one", () => {
    const [a] = sampleAlerts(1);
    expect(alertDescription(a!, "Checkout is slow.").split("\n")[0]).toBe("Checkout is slow.");
  });

  it.each([
    [850, "850 ms"],
    [1_234, "1.2 s"],
    [200_000, "3.3 min"],
  ])("formats %d ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
