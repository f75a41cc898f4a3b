import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { loadConfig } from "../../src/config/index.js";
import { decodeSpans } from "../../src/decode/index.js";
import { createApiServer, type ApiServer } from "../../src/http/api.js";
import { RecentAlerts } from "../../src/http/recent-alerts.js";
import type { Incident } from "../../src/core/incidents/incident.js";
import { createLogger } from "../../src/log/index.js";
import { Service } from "../../src/service/service.js";
import { runCli } from "../helpers/serve-child.js";
import { TS_WORKER } from "../helpers/ts-worker.js";

/**
 * The dashboard in Debian's chromium (driven by playwright-core): serve on the embedded default
 * with an API token, fed a simulated cascade failure over OTLP/HTTP by `tracewatch simulate`.
 * Screenshots go to docs/img with TRACEWATCH_WRITE_DOCS=1, else to a temporary directory.
 */
const ROOT = join(import.meta.dirname, "../..");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const TOKEN = "browser-test-token-0123456789";
const SHOTS =
  process.env.TRACEWATCH_WRITE_DOCS === "1"
    ? join(ROOT, "docs/img")
    : mkdtempSync(join(tmpdir(), "tw-shots-"));

const CONFIG = (dir: string) => `
apiVersion: aiops/v1
kind: TraceAnomalyDetector
metadata:
  name: browser
spec:
  assembly:
    decision_wait: 1s
    root_grace: 200ms
  sources:
    otlp_http:
      port: 0
    otlp_grpc:
      enabled: false
  api:
    port: 0
    token: ${TOKEN}
  model_store:
    dir: ${dir}
`;

interface ListedAlert {
  type: string;
  service: string;
  traceId: string;
}

describe("the dashboard in a browser", () => {
  let dir: string;
  let service: Service;
  let api: string;
  let browser: Browser;
  let page: Page;
  let alert: ListedAlert;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, "scripts/build-dashboard.mjs"), "--quiet"]);
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "tw-browser-"));
    service = new Service(loadConfig({ text: CONFIG(dir) }, {}), createLogger({ level: "silent" }), {
      retrainWorker: TS_WORKER,
    });
    await service.start();
    api = service.addresses.api!;
    const sim = runCli(
      [
        "simulate",
        "--seed",
        "7",
        "--rate",
        "20",
        "--duration",
        "24s",
        "--warmup",
        "2s",
        "--anomalies",
        "cascade",
        "--fast",
        "--quiet",
        "--output",
        `otlp-http:${service.addresses.otlp!}/v1/traces`,
      ],
      {},
    );
    expect(await sim.exited(), sim.stderr()).toBe(0);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await fetch(`${api}/api/v1/alerts?type=cascade_failure`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const alerts = ((await res.json()) as { alerts: ListedAlert[] }).alerts;
      if (alerts.length > 0) {
        alert = alerts[0]!;
        break;
      }
      if (Date.now() > deadline) throw new Error("no cascade_failure alert within 60 s");
      await sleep(500);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("asks for the API token once, then lists the incident with its summary", async () => {
    await page.goto(`${api}/`);
    await page.locator("#token").fill(TOKEN);
    await page.locator("#token-form button").click();
    const row = page.locator("tr.item").first();
    await row.waitFor();
    await expect(row.locator(".summary").textContent()).resolves.toContain(alert.service);
    await expect(page.locator("#status").textContent()).resolves.toMatch(/model/);
    await page.screenshot({ path: join(SHOTS, "dashboard-incidents.png") });
  });

  it("opens the incident page and its trace as a waterfall with the culprit highlighted", async () => {
    await page.locator("tr.item .summary").first().click();
    await page.locator(".detail-summary").waitFor();
    await page.screenshot({ path: join(SHOTS, "dashboard-incident.png") });
    await page.locator("a.trace-link").first().click();
    await page.locator(".waterfall .row").first().waitFor();
    expect(await page.locator(".waterfall .row").count()).toBeGreaterThan(3);
    const culprit = page.locator('.waterfall .row.culprit[data-culprit="true"]');
    expect(await culprit.count()).toBeGreaterThan(0);
    await expect(culprit.first().locator(".label b").textContent()).resolves.toBe(alert.service);
    await page.screenshot({ path: join(SHOTS, "dashboard-trace.png"), fullPage: true });
  });

  it("marks the culprit node on the service map", async () => {
    await page.goto(`${api}/#/map`);
    await page.locator("svg.map g.node").first().waitFor();
    const node = page.locator(`svg.map g.node[data-node="${alert.service}"]`);
    await expect(node.getAttribute("data-culprit")).resolves.toBe("true");
    expect(await page.locator('svg.map g.node[data-culprit="true"]').count()).toBeGreaterThanOrEqual(1);
    await node.click();
    await page.locator("#drill a.trace-link").first().waitFor();
    await page.screenshot({ path: join(SHOTS, "dashboard-map.png") });
  });
});

describe("the dashboard with 1,000 incidents", () => {
  let server: ApiServer;
  let browser: Browser;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, "scripts/build-dashboard.mjs"), "--quiet"]);
    const recent = new RecentAlerts<
      Record<string, unknown> & { type: string; service: string; severity: string; detectedAt: string }
    >(1000);
    for (let i = 0; i < 1000; i++)
      recent.push({
        id: i.toString(16).padStart(32, "0"),
        type: "latency_spike",
        service: `service-${i % 40}`,
        rootService: "gateway",
        rootOperation: "POST /api/orders",
        severity: i % 10 === 0 ? "critical" : "high",
        detectedAt: new Date(Date.UTC(2026, 0, 1, 12, 0, i)).toISOString(),
        traceId: i.toString(16).padStart(32, "f"),
        description: `service-${i % 40}: POST /api/orders 6.1x slower than its p99 on trace ${i}`,
      });
    // Newest first, as the tracker lists them.
    const incidents = Array.from({ length: 1000 }, (_, k) => {
      const i = 999 - k;
      const at = new Date(Date.UTC(2026, 0, 1, 12, 0, i)).toISOString();
      return {
        id: i.toString(16).padStart(32, "e"),
        type: "latency_spike",
        service: `service-${i % 40}`,
        status: i % 3 === 0 ? "resolved" : "open",
        severity: i % 10 === 0 ? "critical" : "high",
        openedAt: at,
        lastSeenAt: at,
        traceCount: 1 + (i % 37),
        summary: `service-${i % 40}: POST /api/orders 6.1x slower than its p99 on ${1 + (i % 37)} traces (incident ${i})`,
      } as unknown as Incident;
    });
    server = createApiServer({
      port: 0,
      token: TOKEN,
      registry: new Registry(),
      providers: {
        readiness: () => ({ sources: [], model: "warming_up" }),
        alerts: recent,
        model: () => null,
        retrain: async () => ({ status: "started" }),
        decode: (body) => decodeSpans(body),
        score: () => ({ features: {}, anomalyScore: null, alerts: [] }),
        incidents: { list: () => incidents, get: (id) => incidents.find((i) => i.id === id) },
        views: {
          maxWindowMs: 900_000,
          defaultWindowMs: 300_000,
          serviceMap: () => ({
            from: "",
            to: "",
            windowMs: 300_000,
            thresholds: { warning: 0.01, critical: 0.05 },
            nodes: [],
            edges: [],
            criticalPath: [],
            overflowed: 0,
          }),
          trace: () => null,
          traces: () => [],
          modelStatus: () => ({
            status: "warming_up",
            warmUp: { samples: 10, required: 500 },
            version: null,
            trainedAt: null,
            samples: null,
          }),
        },
      },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("renders all 1,000, newest first (load time printed, measured, not asserted)", async () => {
    const { url } = await server.listen();
    const page = await browser.newPage();
    // Scripts run in the page are strings: this file is type-checked for Node, without the DOM.
    await page.addInitScript(`sessionStorage.setItem("tracewatch.token", ${JSON.stringify(TOKEN)})`);
    await page.goto(`${url}/`);
    // Times from the browser's own clock: navigation start to the 1,000th row in the DOM.
    const rendered = await page.waitForFunction(
      'document.querySelectorAll("tr.item").length === 1000 ? performance.now() : false',
    );
    const dcl = Number(
      await page.evaluate('performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd'),
    );
    const resources = await page.evaluate(
      'performance.getEntriesByType("resource").map((r) => `${new URL(r.name).pathname} ${r.startTime.toFixed(0)}+${r.duration.toFixed(0)} ms`).join(", ")',
    );
    console.log(
      `dashboard with 1000 incidents: list rendered ${Number(await rendered.jsonValue()).toFixed(0)} ms after navigation start (DOMContentLoaded ${dcl.toFixed(0)} ms; ${resources})`,
    );
    expect(await page.locator("tr.item").count()).toBe(1000);
    await expect(page.locator("tr.item .summary").first().textContent()).resolves.toContain("incident 999");
  });
});
