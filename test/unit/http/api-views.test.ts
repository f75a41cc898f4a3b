import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { Alert } from "../../../src/core/alerts/alert.js";
import { ManualClock } from "../../../src/core/clock.js";
import { loadConfig } from "../../../src/config/index.js";
import { NO_ATTRIBUTES, type Span } from "../../../src/domain/span.js";
import type { CompletedTrace } from "../../../src/domain/trace.js";
import { buildApiApp } from "../../../src/http/api.js";
import { ServiceGraphEdgeList } from "../../../src/metrics/service-graph.js";
import { buildDetectionCore } from "../../../src/service/detector.js";
import { OnCallViews } from "../../../src/service/views.js";
import { warmingUpProviders } from "../../helpers/api-providers.js";

const TOKEN = "s3cret-token-0123456789";
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const NOW = Date.UTC(2026, 0, 1, 12);

function span(
  id: number,
  parent: number | null,
  service: string,
  start: number,
  end: number,
  error = false,
): Span {
  const ns = (ms: number) => BigInt(NOW) * 1_000_000n + BigInt(ms * 1_000_000);
  return {
    traceId: TRACE,
    spanId: id.toString(16).padStart(16, "0"),
    parentSpanId: parent === null ? null : parent.toString(16).padStart(16, "0"),
    service,
    name: `op-${service}`,
    kind: parent === null ? "SERVER" : "CLIENT",
    startTimeUnixNano: ns(start),
    endTimeUnixNano: ns(end),
    status: error ? "ERROR" : "UNSET",
    attributes: NO_ATTRIBUTES,
  };
}

function setup(dashboardDir?: string) {
  const clock = new ManualClock(NOW);
  const config = loadConfig({ text: "" }, {});
  const core = buildDetectionCore(config, clock);
  const views = new OnCallViews({
    core,
    clock,
    minSamples: 100,
    incidents: () => [{ id: "inc-1", service: "payment", severity: "high", summary: "payment slow" }],
  });
  const trace: CompletedTrace = {
    traceId: TRACE,
    reason: "root",
    completedAtMs: NOW,
    spans: [
      span(1, null, "front", 0, 900),
      span(2, 1, "checkout", 10, 880),
      span(3, 2, "payment", 20, 870, true),
    ],
  };
  views.recordTrace(new ServiceGraphEdgeList().fill(trace.spans));
  const alert = {
    id: "a".repeat(32),
    type: "latency_spike",
    severity: "high",
    service: "payment",
    detectedAt: new Date(NOW).toISOString(),
    evidence: { culprit: { service: "payment", excessMs: 800 }, likelyOrigin: null, topSpans: [] },
  } as unknown as Alert;
  views.keepAlerted(alert, trace);
  const providers = warmingUpProviders({ views: views.providers() });
  return buildApiApp({
    registry: new Registry(),
    providers,
    token: TOKEN,
    ...(dashboardDir === undefined ? {} : { dashboardDir }),
  });
}
const auth = { authorization: `Bearer ${TOKEN}` };

describe("on-call view routes", () => {
  it("serves the service map with health, degrees, the critical path and the incident on its culprit", async () => {
    const app = setup();
    const res = await app.inject({ url: "/api/v1/service-map?window=5m", headers: auth });
    expect(res.statusCode).toBe(200);
    const map = res.json();
    expect(map.windowMs).toBe(300_000);
    const payment = map.nodes.find((n: { id: string }) => n.id === "payment");
    expect(payment).toMatchObject({
      requests: 1,
      errorRate: 1,
      health: "critical",
      inDegree: 1,
      outDegree: 0,
    });
    expect(payment.incidents.map((i: { id: string }) => i.id)).toEqual(["inc-1"]);
    expect(map.criticalPath).toEqual(["front", "checkout", "payment"]);
    expect(map.edges.find((e: { target: string }) => e.target === "checkout")).toMatchObject({
      source: "front",
      requests: 1,
      isNew: null,
    });
  });

  it("refuses a bad or too long window, and answers 401 without the token", async () => {
    const app = setup();
    expect(
      (await app.inject({ url: "/api/v1/service-map?window=5 minutes", headers: auth })).statusCode,
    ).toBe(400);
    expect((await app.inject({ url: "/api/v1/service-map?window=2d", headers: auth })).statusCode).toBe(400);
    expect((await app.inject({ url: "/api/v1/service-map" })).statusCode).toBe(401);
    expect((await app.inject({ url: `/api/v1/traces/${TRACE}` })).statusCode).toBe(401);
  });

  it("serves a kept trace as a waterfall with the culprit marked, and 404 for one not kept", async () => {
    const app = setup();
    const res = await app.inject({ url: `/api/v1/traces/${TRACE}`, headers: auth });
    expect(res.statusCode).toBe(200);
    const t = res.json();
    expect(
      t.waterfall.map((r: { service: string; depth: number; culprit: boolean }) => [
        r.service,
        r.depth,
        r.culprit,
      ]),
    ).toEqual([
      ["front", 0, false],
      ["checkout", 1, false],
      ["payment", 2, true],
    ]);
    expect(t.breakdown[0].service).toBe("payment");
    expect(t.alerts[0].type).toBe("latency_spike");
    expect(t.spans[0].startTimeUnixNano).toMatch(/^\d+$/);
    const missing = await app.inject({ url: `/api/v1/traces/${"0".repeat(31)}1`, headers: auth });
    expect(missing.statusCode).toBe(404);
    expect((await app.inject({ url: "/api/v1/traces/nothex", headers: auth })).statusCode).toBe(400);
    const list = await app.inject({ url: "/api/v1/traces?service=payment", headers: auth });
    expect(list.json().traces.map((x: { traceId: string }) => x.traceId)).toEqual([TRACE]);
    const byEdge = await app.inject({ url: "/api/v1/traces?edge=payment->front", headers: auth });
    expect(byEdge.json().count).toBe(0);
  });

  it("reports warm-up progress for the status panel", async () => {
    const res = await setup().inject({ url: "/api/v1/status", headers: auth });
    expect(res.json()).toMatchObject({ status: "warming_up", warmUp: { required: 100 }, version: null });
  });

  it("serves the dashboard page without the token, and says how to build it when it is missing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-dash-"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>tracewatch</title>");
    writeFileSync(join(dir, "app.js"), "console.log(1)");
    const app = setup(dir);
    const page = await app.inject({ url: "/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    expect((await app.inject({ url: "/dashboard/app.js" })).headers["content-type"]).toContain("javascript");
    expect((await app.inject({ url: "/dashboard/secret.txt" })).statusCode).toBe(404);
    const empty = setup(join(dir, "absent"));
    expect((await empty.inject({ url: "/" })).statusCode).toBe(503);
  });
});
