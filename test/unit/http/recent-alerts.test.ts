import { describe, expect, it } from "vitest";
import type { AlertQuery } from "../../../src/http/api-types.js";
import { RecentAlerts } from "../../../src/http/recent-alerts.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");
/** Alert `id` detected `id` minutes after T0. */
const alert = (id: number, type = "latency_spike", service = "s", severity = "high") => ({
  id,
  type,
  service,
  severity,
  detectedAt: new Date(T0 + id * 60_000).toISOString(),
});
type TestAlert = ReturnType<typeof alert>;

function ring(capacity: number, alerts: TestAlert[]): RecentAlerts<TestAlert> {
  const r = new RecentAlerts<TestAlert>(capacity);
  alerts.forEach((a) => r.push(a));
  return r;
}
const ids = (r: RecentAlerts<TestAlert>, q: AlertQuery) => r.list(q).map((a) => a.id);

describe("RecentAlerts", () => {
  it("keeps only the newest `capacity` alerts, newest first", () => {
    const r = ring(
      3,
      [1, 2, 3, 4, 5].map((i) => alert(i)),
    );
    expect(r.size).toBe(3);
    expect(ids(r, { limit: 10 })).toEqual([5, 4, 3]);
  });

  it("stops at the limit after filtering", () => {
    const r = ring(10, [alert(1, "a"), alert(2, "b"), alert(3, "a"), alert(4, "a")]);
    expect(ids(r, { type: "a", limit: 2 })).toEqual([4, 3]);
  });

  it("filters by any of the severities given", () => {
    const r = ring(
      10,
      ["low", "high", "critical", "medium", "high"].map((s, i) => alert(i + 1, "t", "s", s)),
    );
    expect(ids(r, { severities: ["high", "critical"], limit: 10 })).toEqual([5, 3, 2]);
    expect(ids(r, { severities: ["info"], limit: 10 })).toEqual([]);
  });

  it("filters by detection time, since inclusive and until exclusive", () => {
    const r = ring(
      10,
      [1, 2, 3, 4, 5].map((i) => alert(i)),
    );
    expect(ids(r, { sinceMs: T0 + 2 * 60_000, untilMs: T0 + 4 * 60_000, limit: 10 })).toEqual([3, 2]);
    expect(ids(r, { sinceMs: T0 + 4 * 60_000, limit: 10 })).toEqual([5, 4]);
    expect(ids(r, { untilMs: T0 + 2 * 60_000, limit: 10 })).toEqual([1]);
  });

  it("pages newest first with a cursor until the last page, which has no next", () => {
    const r = ring(
      10,
      [1, 2, 3, 4, 5, 6, 7].map((i) => alert(i, i % 2 === 0 ? "even" : "odd")),
    );
    const first = r.page({ type: "odd", limit: 2 });
    expect(first.alerts.map((a) => a.id)).toEqual([7, 5]);
    expect(first.next).not.toBeNull();
    const second = r.page({ type: "odd", limit: 2, before: first.next! });
    expect(second.alerts.map((a) => a.id)).toEqual([3, 1]);
    expect(second.next).toBeNull();
  });

  it("neither repeats nor skips alerts when new ones arrive between pages", () => {
    const r = ring(
      10,
      [1, 2, 3, 4].map((i) => alert(i)),
    );
    const first = r.page({ limit: 2 });
    r.push(alert(5));
    r.push(alert(6));
    const second = r.page({ limit: 2, before: first.next! });
    expect([...first.alerts, ...second.alerts].map((a) => a.id)).toEqual([4, 3, 2, 1]);
    expect(second.next).toBeNull();
  });

  it("ends with an empty page when the alerts past the cursor left the ring", () => {
    const r = ring(
      3,
      [1, 2, 3].map((i) => alert(i)),
    );
    const first = r.page({ limit: 1 });
    for (const i of [4, 5]) r.push(alert(i));
    expect(r.page({ limit: 5, before: first.next! }).alerts.map((a) => a.id)).toEqual([]);
    const page = r.page({ limit: 1 });
    expect(r.page({ limit: 5, before: page.next! }).alerts.map((a) => a.id)).toEqual([4, 3]);
  });

  it("has no next page when the last match exactly fills the page", () => {
    const r = ring(
      10,
      [1, 2, 3, 4].map((i) => alert(i, i <= 2 ? "a" : "b")),
    );
    expect(r.page({ type: "b", limit: 2 }).next).toBeNull();
  });

  it("is empty before the first alert", () => {
    expect(new RecentAlerts(2).page({ limit: 5 })).toEqual({ alerts: [], next: null });
  });

  it.each([0, -1, 2.5])("refuses capacity %s", (capacity) => {
    expect(() => new RecentAlerts(capacity)).toThrow(RangeError);
  });
});
