import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/core/clock.js";
import { AlertmanagerDeliverer, toPostableAlert } from "../../../src/sinks/alertmanager.js";
import { sampleAlerts } from "./sample-alerts.js";

describe("toPostableAlert", () => {
  const alert = sampleAlerts(1)[0]!;

  it("labels alertname, severity, service and detector and puts trace details in annotations", () => {
    const p = toPostableAlert(alert, {
      generatorUrl: "http://jaeger:16686/trace/{traceId}?a={alertId}",
      labels: { team: "sre", alertname: "x" },
    });
    expect(p.labels).toEqual({
      team: "sre",
      alertname: "latency_spike",
      severity: "high",
      service: "frontend",
      detector: "latency-anomalies",
    });
    expect(p.annotations).toMatchObject({
      trace_id: alert.traceId,
      alert_id: alert.id,
      condition: alert.condition,
      anomaly_score: "0.990",
    });
    expect(p.generatorURL).toBe(`http://jaeger:16686/trace/${alert.traceId}?a=${alert.id}`);
  });

  it("starts at detection and ends resolveAfterMs later", () => {
    const p = toPostableAlert(alert, { resolveAfterMs: 60_000 });
    expect(p.startsAt).toBe(alert.detectedAt);
    expect(Date.parse(p.endsAt) - Date.parse(p.startsAt)).toBe(60_000);
    expect(p).not.toHaveProperty("generatorURL");
  });

  it("drops extra labels whose names Alertmanager would refuse", () => {
    const labels = toPostableAlert(alert, { labels: { "bad-name": "v", ok_name: "v", empty: "" } }).labels;
    expect(Object.keys(labels).sort()).toEqual(["alertname", "detector", "ok_name", "service", "severity"]);
  });
});

describe("AlertmanagerDeliverer", () => {
  it.each([
    ["http://am:9093", "http://am:9093/api/v2/alerts"],
    ["http://am:9093/prefix/", "http://am:9093/prefix/api/v2/alerts"],
    ["https://am.example/am?tenant=a", "https://am.example/am/api/v2/alerts?tenant=a"],
  ])("posts %s's alerts to %s", async (base, endpoint) => {
    const urls: string[] = [];
    const fetchStub = ((url: string) => {
      urls.push(url);
      return Promise.resolve(new Response(null, { status: 200 }));
    }) as unknown as typeof fetch;
    const deliverer = new AlertmanagerDeliverer({ url: base, clock: new ManualClock(0), fetch: fetchStub });
    expect(await deliverer.deliver(sampleAlerts(1)[0]!)).toEqual({ ok: true });
    expect(urls).toEqual([endpoint]);
  });
});
