import { describe, expect, it } from "vitest";
import { describeInjection, InjectionAnnouncer } from "../../../src/sim/describe.js";
import { makeLabel, type Injection } from "../../../src/sim/labels.js";

const START = 1_700_000_000_000;
const at = (s: number): number => START + s * 1000;

describe("describeInjection", () => {
  it.each<[Injection, string]>([
    [
      {
        kind: "latency_spike",
        shape: "network_delay",
        service: "cart",
        addedDelayMs: 1427,
        windowStartMs: 0,
        windowEndMs: 1,
      },
      "latency_spike: network delay of 1427 ms on every call into cart",
    ],
    [
      {
        kind: "latency_spike",
        shape: "cpu_contention",
        service: "search",
        slowdownMedian: 6,
        queueWaitMedianMs: 1500,
        windowStartMs: 0,
        windowEndMs: 1,
      },
      "latency_spike: CPU contention on search (own work x6, run-queue wait ~1500 ms)",
    ],
    [
      { kind: "unusual_path", caller: "checkout", callee: "fraud-check", deployAtMs: 0, rollbackAtMs: 1 },
      "unusual_path: a canary deploy adds the call checkout -> fraud-check",
    ],
    [
      { kind: "cascade_failure", origin: "payment", windowStartMs: 0, windowEndMs: 1 },
      "cascade_failure: payment fails and the errors propagate up to the gateway",
    ],
    [
      { kind: "near_miss_slow", requestType: "report_export" },
      "near-miss, must not alert: report_export always takes about 2 s",
    ],
    [{ kind: "none" }, "normal"],
  ])("describes %o", (injection, text) => {
    expect(describeInjection(makeLabel("a".repeat(32), injection, 0, "x"))).toBe(text);
  });
});

describe("InjectionAnnouncer", () => {
  it("announces each injected window occurrence once, with its event-time offsets", () => {
    const announcer = new InjectionAnnouncer(START);
    const cascade = (id: string, start: number) =>
      makeLabel(
        id,
        { kind: "cascade_failure", origin: "payment", windowStartMs: at(start), windowEndMs: at(start + 4) },
        at(start),
        "place_order",
      );
    expect(announcer.announce(cascade("a", 31))).toBe(
      "[+31s..+35s] cascade_failure: payment fails and the errors propagate up to the gateway",
    );
    expect(announcer.announce(cascade("b", 31))).toBeNull();
    expect(announcer.announce(cascade("c", 91))).toMatch(/^\[\+91s\.\.\+95s\]/);
    expect(announcer.announce(makeLabel("d", { kind: "none" }, at(40), "search"))).toBeNull();
    expect(
      announcer.announce(
        makeLabel("e", { kind: "near_miss_slow", requestType: "report_export" }, at(40), "report_export"),
      ),
    ).toBeNull();
  });
});
