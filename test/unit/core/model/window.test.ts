import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/core/clock.js";
import { RollingWindow } from "../../../../src/core/model/window.js";
import { features, traffic } from "./helpers.js";

const HOUR = 3_600_000;

describe("rolling window", () => {
  it("expires whole buckets once they leave the window", () => {
    const clock = new ManualClock(0);
    const w = new RollingWindow({ clock, windowMs: 10 * HOUR, buckets: 10, sampleRate: 1 });
    for (const f of traffic(100, 0, HOUR)) w.observe(f);
    for (const f of traffic(100, 5 * HOUR, HOUR)) w.observe(f);
    expect(w.size).toBe(200);
    clock.set(11 * HOUR);
    w.expire();
    expect(w.size).toBe(100);
    expect(w.stats().expiredBuckets).toBe(1);
    clock.set(16 * HOUR);
    expect(w.snapshot().groupIndex.length).toBe(0);
  });

  it.each([1_000, 100_000])("holds at most max_samples whatever the traffic (%i traces)", (n) => {
    const clock = new ManualClock(0);
    const w = new RollingWindow({
      clock,
      windowMs: 4 * HOUR,
      buckets: 4,
      sampleRate: 1,
      maxSamples: 400,
      durationsPerGroup: 16,
    });
    for (const f of traffic(n, 0, 4 * HOUR)) w.observe(f);
    expect(w.size).toBeLessThanOrEqual(400);
    const snap = w.snapshot();
    for (const d of snap.durations.values()) expect(d.total.length).toBeLessThanOrEqual(4 * 16);
  });

  it.each([
    { rate: 0.1, lo: 700, hi: 1300 },
    { rate: 0.5, lo: 4500, hi: 5500 },
  ])("keeps about sample_rate $rate of the traces", ({ rate, lo, hi }) => {
    const w = new RollingWindow({ clock: new ManualClock(0), sampleRate: rate, maxSamples: 1_000_000 });
    for (const f of traffic(10_000, 0, HOUR)) w.observe(f);
    expect(w.size).toBeGreaterThan(lo);
    expect(w.size).toBeLessThan(hi);
    // Baselines and edges see every trace, not only the sampled ones.
    expect(w.snapshot().observed).toBe(10_000);
  });

  it("leaves traces with errors out when exclude_errors is set", () => {
    const w = new RollingWindow({ clock: new ManualClock(0), sampleRate: 1, excludeErrors: true });
    w.observe(features({ error_count: 2, edges: ["x->y"] }));
    w.observe(features());
    expect(w.size).toBe(1);
    expect(w.snapshot().edges).toEqual(["gw->a"]);
    expect(w.stats().excluded).toBe(1);
  });

  it("drops traces older than the window instead of reviving expired buckets", () => {
    const clock = new ManualClock(20 * HOUR);
    const w = new RollingWindow({ clock, windowMs: 10 * HOUR, buckets: 10, sampleRate: 1 });
    w.observe(features({ startTimeMs: HOUR }));
    expect(w.size).toBe(0);
    expect(w.stats().tooOld).toBe(1);
  });

  it("ages per-group durations out with their bucket", () => {
    const clock = new ManualClock(0);
    const w = new RollingWindow({ clock, windowMs: 2 * HOUR, buckets: 2, sampleRate: 1 });
    w.observe(features({ group_key: "old", startTimeMs: 0 }));
    clock.set(HOUR);
    w.observe(features({ group_key: "new", startTimeMs: HOUR }));
    clock.set(2 * HOUR + 1);
    expect([...w.snapshot().durations.keys()]).toEqual(["old", "new"]);
    clock.set(3 * HOUR);
    expect([...w.snapshot().durations.keys()]).toEqual(["new"]);
  });
});

describe("rolling window budget", () => {
  it("lets a lone bucket use the whole budget and shares it when more buckets open", () => {
    const clock = new ManualClock(0);
    const w = new RollingWindow({ clock, windowMs: 4 * HOUR, buckets: 4, sampleRate: 1, maxSamples: 1000 });
    for (const f of traffic(2000, 0, HOUR)) w.observe(f);
    expect(w.size).toBe(1000);
    for (const f of traffic(2000, HOUR, HOUR)) w.observe({ ...f, group_key: "second hour" });
    expect(w.size).toBe(1000);
    const snap = w.snapshot();
    const second = Array.from(snap.groupIndex).filter((i) => snap.groupNames[i] === "second hour").length;
    expect(second).toBe(500);
  });
});
