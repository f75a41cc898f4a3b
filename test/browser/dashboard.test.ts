import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
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
