import { describe, expect, it } from "vitest";
import { RecentAlerts } from "../../../src/http/recent-alerts.js";

const alert = (id: number, type = "latency_spike", service = "s") => ({ id, type, service });

describe("RecentAlerts", () => {
  it("keeps only the newest `capacity` alerts, newest first", () => {
    const ring = new RecentAlerts<ReturnType<typeof alert>>(3);
    for (let i = 1; i <= 5; i++) ring.push(alert(i));
    expect(ring.size).toBe(3);
    expect(ring.list({ limit: 10 }).map((a) => a.id)).toEqual([5, 4, 3]);
  });

  it("stops at the limit after filtering", () => {
    const ring = new RecentAlerts<ReturnType<typeof alert>>(10);
    [alert(1, "a"), alert(2, "b"), alert(3, "a"), alert(4, "a")].forEach((a) => ring.push(a));
    expect(ring.list({ type: "a", limit: 2 }).map((a) => a.id)).toEqual([4, 3]);
  });

  it("is empty before the first alert", () => {
    expect(new RecentAlerts(2).list({ limit: 5 })).toEqual([]);
  });

  it.each([0, -1, 2.5])("refuses capacity %s", (capacity) => {
    expect(() => new RecentAlerts(capacity)).toThrow(RangeError);
  });
});
