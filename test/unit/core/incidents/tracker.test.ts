import { describe, expect, it } from "vitest";
import type { Alert } from "../../../../src/core/alerts/alert.js";
import { incidentId, type IncidentEvent } from "../../../../src/core/incidents/incident.js";
import { IncidentTracker } from "../../../../src/core/incidents/tracker.js";
import { sampleAlerts } from "../../sinks/sample-alerts.js";

const T0 = Date.UTC(2026, 11, 4, 12, 1, 0);
const MIN = 60_000;
const BASE = sampleAlerts(1)[0]!;

interface A {
  at: number;
  trace?: string;
  type?: string;
  service?: string;
  severity?: Alert["severity"];
  score?: number;
  ratio?: number;
  culprit?: { service: string; excessMs: number };
}

let n = 0;
function alert(a: A): Alert {
  n += 1;
  const ratio = a.ratio ?? 6.1;
  return {
    ...BASE,
    traceId: a.trace ?? n.toString(16).padStart(32, "0"),
    type: a.type ?? "latency_spike",
    service: a.service ?? "inventory-service",
    severity: a.severity ?? "high",
    anomalyScore: a.score ?? 0.97,
    detectedAt: new Date(a.at).toISOString(),
    rootService: "checkout-service",
    rootOperation: "POST /checkout",
    evidence: {
      ...BASE.evidence,
      p99Baseline: 400,
      durationRatio: ratio,
      culprit: a.culprit ?? { service: "inventory-service", excessMs: 1_200 },
    },
  };
}

function tracker(): IncidentTracker {
  return new IncidentTracker({ groupWindowMs: 2 * MIN, quietPeriodMs: 5 * MIN });
}

const kinds = (events: IncidentEvent[]) => events.map((e) => e.kind);

describe("IncidentTracker", () => {
  it.each([
    { name: "same type and service close in time: one incident", second: { at: T0 + MIN }, incidents: 1 },
    { name: "another service: two incidents", second: { at: T0 + MIN, service: "payment" }, incidents: 2 },
    { name: "another type: two incidents", second: { at: T0 + MIN, type: "unusual_path" }, incidents: 2 },
    { name: "a gap beyond the group window: two incidents", second: { at: T0 + 3 * MIN }, incidents: 2 },
    { name: "a gap equal to the group window: one incident", second: { at: T0 + 2 * MIN }, incidents: 1 },
  ])("groups alerts by type, service and window: $name", ({ second, incidents }) => {
    const t = tracker();
    t.observe(alert({ at: T0 }));
    t.observe(alert(second));
    expect(t.list()).toHaveLength(incidents);
  });

  it("opens with the first alert and counts traces, first/last seen, worst score and request types", () => {
    const t = tracker();
    expect(kinds(t.observe(alert({ at: T0, score: 0.96 })))).toEqual(["opened"]);
    t.observe(alert({ at: T0 + 10_000, score: 0.99 }));
    t.observe(alert({ at: T0 + 20_000, score: 0.95 }));
    const [i] = t.openIncidents();
    expect(i).toMatchObject({
      status: "open",
      traceCount: 3,
      openedAt: new Date(T0).toISOString(),
      lastSeenAt: new Date(T0 + 20_000).toISOString(),
      worstScore: 0.99,
      requestTypes: ["checkout-service POST /checkout"],
      resolvedAt: null,
    });
    expect(i!.traceIds).toHaveLength(3);
  });

  it("resolves after the quiet period since the last alert, not before", () => {
    const t = tracker();
    t.observe(alert({ at: T0 }));
    t.observe(alert({ at: T0 + MIN }));
    expect(t.tick(T0 + 6 * MIN - 1)).toEqual([]);
    const events = t.tick(T0 + 6 * MIN);
    expect(kinds(events)).toEqual(["resolved"]);
    expect(events[0]!.incident).toMatchObject({
      status: "resolved",
      resolvedAt: new Date(T0 + 6 * MIN).toISOString(),
    });
    expect(t.openIncidents()).toEqual([]);
    expect(t.tick(T0 + 60 * MIN)).toEqual([]);
    expect(t.get(events[0]!.incident.id)?.status).toBe("resolved");
  });

  it("notifies an update only on a significant change: trace count doubling (from 5) or severity rising", () => {
    const t = tracker();
    const seen: string[] = [];
    for (let k = 0; k < 20; k += 1)
      seen.push(...kinds(t.observe(alert({ at: T0 + k * 1000 }))).map((x) => `${k + 1}:${x}`));
    expect(seen).toEqual(["1:opened", "5:updated", "10:updated", "20:updated"]);
    expect(kinds(t.observe(alert({ at: T0 + 21_000, severity: "critical" })))).toEqual(["updated"]);
    expect(kinds(t.observe(alert({ at: T0 + 22_000, severity: "critical" })))).toEqual([]);
  });

  it("ignores the same trace twice (an alert redelivered after a restart)", () => {
    const t = tracker();
    t.observe(alert({ at: T0, trace: "a".repeat(32) }));
    expect(t.observe(alert({ at: T0 + 1000, trace: "a".repeat(32) }))).toEqual([]);
    expect(t.openIncidents()[0]!.traceCount).toBe(1);
  });

  it("gives a stable id from detector, type, service and opening time, the same on a replay", () => {
    const run = () => {
      const t = tracker();
      t.observe(alert({ at: T0 }));
      t.observe(alert({ at: T0 + MIN }));
      return t.openIncidents()[0]!.id;
    };
    expect(run()).toBe(run());
    expect(run()).toBe(incidentId(BASE.detector, "latency_spike", "inventory-service", T0));
    expect(run()).toMatch(/^[0-9a-f]{32}$/);
    expect(incidentId(BASE.detector, "latency_spike", "inventory-service", T0 + 1)).not.toBe(run());
  });

  it("an alert after the group window resolves the old incident and opens a new one", () => {
    const t = tracker();
    t.observe(alert({ at: T0 }));
    const events = t.observe(alert({ at: T0 + 3 * MIN }));
    expect(kinds(events)).toEqual(["resolved", "opened"]);
    expect(events[0]!.incident.id).not.toBe(events[1]!.incident.id);
  });

  it("continues a restored incident with the same id and counts", () => {
    const t = tracker();
    t.observe(alert({ at: T0 }));
    t.observe(alert({ at: T0 + 1000 }));
    const saved = t.list();
    const again = tracker();
    again.restore(saved);
    expect(again.observe(alert({ at: T0 + MIN }))).toEqual([]);
    const [i] = again.openIncidents();
    expect(i!.id).toBe(saved[0]!.id);
    expect(i!.traceCount).toBe(3);
    again.restore(saved); // an older revision does not go back
    expect(again.openIncidents()[0]!.traceCount).toBe(3);
  });

  it("restores a resolved incident as resolved", () => {
    const t = tracker();
    t.observe(alert({ at: T0 }));
    const [resolved] = t.tick(T0 + 10 * MIN);
    const again = tracker();
    again.restore([resolved!.incident]);
    expect(again.openIncidents()).toEqual([]);
    expect(again.get(resolved!.incident.id)?.status).toBe("resolved");
  });

  it.each([
    {
      name: "latency with a culprit",
      alerts: [
        alert({ at: T0 }),
        alert({ at: T0 + 1000, culprit: { service: "inventory-service", excessMs: 1_000 } }),
      ],
      summary:
        "inventory-service: checkout-service POST /checkout 6.1x slower than its p99 on 2 traces since 12:01 UTC; most time in inventory-service (+1.1 s per trace)",
    },
    {
      name: "the root service itself",
      alerts: [alert({ at: T0, service: "checkout-service", ratio: 3 })],
      summary:
        "checkout-service: POST /checkout 3.0x slower than its p99 on 1 trace since 12:01 UTC; most time in inventory-service (+1.2 s per trace)",
    },
  ])("writes a one-sentence summary: $name", ({ alerts, summary }) => {
    const t = tracker();
    for (const a of alerts) t.observe(a);
    expect(t.openIncidents()[0]!.summary).toBe(summary);
  });

  it("degrades the summary gracefully without ratio or culprit evidence", () => {
    const t = tracker();
    const a = alert({ at: T0, service: "payment", type: "unusual_path" });
    t.observe({
      ...a,
      evidence: {
        ...a.evidence,
        durationRatio: null,
        p99Baseline: null,
        culprit: undefined,
        newEdges: ["cart->payment"],
        slowestService: null,
        slowestCall: null,
      },
    });
    expect(t.openIncidents()[0]!.summary).toBe("payment: new call cart->payment on 1 trace since 12:01 UTC");
    expect(t.openIncidents()[0]!.description).toContain("new edges: cart->payment");
  });

  it("says when a resolved incident ran in its summary", () => {
    const t = tracker();
    t.observe(alert({ at: T0 }));
    const [e] = t.tick(T0 + 5 * MIN);
    expect(e!.incident.summary).toContain("from 12:01 to 12:06 UTC (resolved)");
  });

  it("keeps the number of resolved incidents bounded", () => {
    const t = new IncidentTracker({ maxResolved: 3, quietPeriodMs: MIN, groupWindowMs: MIN });
    for (let k = 0; k < 10; k += 1) {
      t.observe(alert({ at: T0 + k * 10 * MIN }));
      t.tick(T0 + k * 10 * MIN + 2 * MIN);
    }
    expect(t.list()).toHaveLength(3);
  });
});
