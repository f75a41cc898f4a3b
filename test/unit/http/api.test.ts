import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { decodeSpans } from "../../../src/decode/index.js";
import type { Span } from "../../../src/domain/span.js";
import { isTracewatchError } from "../../../src/errors.js";
import { createApiServer, type ApiServerOptions } from "../../../src/http/api.js";
import type { ApiProviders, ReadinessReport, RetrainOutcome } from "../../../src/http/api-types.js";
import { RecentAlerts } from "../../../src/http/recent-alerts.js";
import { createMetrics } from "../../../src/metrics/pipeline.js";

const TOKEN = "s3cret-token-0123456789";
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface Alert {
  id: string;
  type: string;
  service: string;
  rootService: string;
  severity: string;
  detectedAt: string;
}

/** An alert `id` detected `minute` minutes after 2026-01-01T00:00Z. */
const listed = (
  id: string,
  type: string,
  service: string,
  severity = "high",
  minute = Number(id),
): Alert => ({
  id,
  type,
  service,
  rootService: "gw",
  severity,
  detectedAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
});

function fakes(overrides: Partial<ApiProviders> = {}) {
  const alerts = new RecentAlerts<Alert>(10);
  const scored: (readonly Span[])[] = [];
  let readiness: ReadinessReport = { sources: [{ name: "otlp_http", connected: true }], model: "warming_up" };
  let retrain: RetrainOutcome = { status: "started" };
  const providers: ApiProviders = {
    readiness: () => readiness,
    alerts,
    model: () => null,
    retrain: async () => retrain,
    decode: (body) => decodeSpans(body),
    score: (spans) => {
      scored.push(spans);
      return { features: { span_count: spans.length }, anomalyScore: 0.5, alerts: [] };
    },
    ...overrides,
  };
  return {
    providers,
    alerts,
    scored,
    setReadiness: (r: ReadinessReport) => (readiness = r),
    setRetrain: (r: RetrainOutcome) => (retrain = r),
  };
}

async function start(options: Partial<ApiServerOptions> = {}, providers = fakes().providers) {
  const registry = new Registry();
  createMetrics(registry).spansReceived.inc({ encoding: "json" });
  const server = createApiServer({ host: "127.0.0.1", port: 0, registry, providers, ...options });
  servers.push(server);
  const { url } = await server.listen();
  return url;
}

const span = (traceId: string, spanId: string, parent: string | null) => ({
  traceId,
  spanId,
  parentSpanId: parent,
  service: "checkout",
  name: "GET /cart",
  kind: "SERVER",
  startTimeUnixNano: "1767225600000000000",
  endTimeUnixNano: "1767225600250000000",
  status: "OK",
  attributes: {},
});
const T1 = "0af7651916cd43dd8448eb211c80319c";
const T2 = "1af7651916cd43dd8448eb211c80319c";

describe("probes", () => {
  it("/healthz answers ok, and 503 once shutting down", async () => {
    let stopping = false;
    const url = await start({ isShuttingDown: () => stopping });
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: "ok" });
    stopping = true;
    expect((await fetch(`${url}/healthz`)).status).toBe(503);
  });

  it.each([
    [
      "connected sources and a warming-up model",
      { sources: [{ name: "kafka", connected: true }], model: "warming_up" },
      200,
    ],
    [
      "connected sources and a loaded model",
      { sources: [{ name: "kafka", connected: true }], model: "loaded" },
      200,
    ],
    [
      "a disconnected source",
      { sources: [{ name: "kafka", connected: false, detail: "rebalancing" }], model: "loaded" },
      503,
    ],
    ["an unavailable model", { sources: [], model: "unavailable" }, 503],
    [
      "every component ready",
      { sources: [], model: "loaded", components: [{ name: "kafka_producer", ready: true }] },
      200,
    ],
    [
      "a component not ready",
      {
        sources: [{ name: "kafka", connected: true }],
        model: "loaded",
        components: [
          { name: "kafka_consumer", ready: true },
          { name: "model_store", ready: false, reason: "model store models/ not writable: EROFS" },
        ],
      },
      503,
    ],
  ] as const)("/readyz with %s answers %d", async (_what, report, status) => {
    const f = fakes();
    f.setReadiness(report as unknown as ReadinessReport);
    const res = await fetch(`${await start({}, f.providers)}/readyz`);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({
      status: status === 200 ? "ready" : "not_ready",
      model: report.model,
      ...("components" in report ? { components: report.components } : {}),
    });
  });

  it("/metrics serves the injected registry in the text format, without a token", async () => {
    const res = await fetch(`${await start({ token: TOKEN })}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(await res.text()).toContain('tracewatch_spans_received_total{encoding="json"} 1');
  });
});

describe("GET /api/v1/alerts", () => {
  it("lists recent alerts newest first, filtered by type, service and limit", async () => {
    const f = fakes();
    f.alerts.push(listed("1", "latency_spike", "orders"));
    f.alerts.push(listed("2", "unusual_path", "pay"));
    f.alerts.push(listed("3", "latency_spike", "pay"));
    const url = await start({}, f.providers);
    const ids = async (q: string) =>
      ((await (await fetch(`${url}/api/v1/alerts${q}`)).json()) as { alerts: Alert[] }).alerts.map(
        (a) => a.id,
      );
    expect(await ids("")).toEqual(["3", "2", "1"]);
    expect(await ids("?type=latency_spike")).toEqual(["3", "1"]);
    expect(await ids("?service=pay")).toEqual(["3", "2"]);
    expect(await ids("?service=gw&limit=1")).toEqual(["3"]);
  });

  it("filters by severity and detection time", async () => {
    const f = fakes();
    ["low", "high", "critical", "medium", "critical"].forEach((severity, i) =>
      f.alerts.push(listed(String(i + 1), "error_burst", "pay", severity)),
    );
    const url = await start({}, f.providers);
    const ids = async (q: string) =>
      ((await (await fetch(`${url}/api/v1/alerts${q}`)).json()) as { alerts: Alert[] }).alerts.map(
        (a) => a.id,
      );
    expect(await ids("?severity=critical")).toEqual(["5", "3"]);
    expect(await ids("?severity=high,critical")).toEqual(["5", "3", "2"]);
    expect(await ids("?since=2026-01-01T00:02:00Z&until=2026-01-01T00:04:00Z")).toEqual(["3", "2"]);
    expect(await ids("?since=2026-01-01T01:02:00%2B01:00&severity=critical")).toEqual(["5", "3"]);
    expect(await ids("?until=2026-01-01T00:02:00.000Z")).toEqual(["1"]);
  });

  it("pages newest first: next is the cursor of the following page, null on the last", async () => {
    const f = fakes();
    for (let i = 1; i <= 5; i++) f.alerts.push(listed(String(i), "latency_spike", "pay"));
    const url = await start({}, f.providers);
    const get = async (q: string) =>
      (await (await fetch(`${url}/api/v1/alerts${q}`)).json()) as {
        count: number;
        alerts: Alert[];
        next: string | null;
      };
    const seen: string[] = [];
    let page = await get("?limit=2");
    for (let pages = 1; ; pages++) {
      seen.push(...page.alerts.map((a) => a.id));
      expect(page.count).toBe(page.alerts.length);
      if (page.next === null) {
        expect(pages).toBe(3);
        break;
      }
      page = await get(`?limit=2&cursor=${page.next}`);
    }
    expect(seen).toEqual(["5", "4", "3", "2", "1"]);
  });

  it.each([
    ["?severity=urgent", "severity: must be one or more of info, low, medium, high, critical"],
    ["?severity=high,", "severity"],
    ["?since=yesterday", "since: must be an RFC 3339 date-time"],
    ["?until=2026-01-01T00:00:00", "until: must be an RFC 3339 date-time with a time zone"],
    ["?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z", "since must be before until"],
    ["?cursor=abc", "cursor: must be the `next` value of a previous page"],
    ["?limit=0", "limit"],
    ["?limit=abc", "limit"],
    ["?limit=5000", "limit"],
    ["?type=Latency%20Spike", "type"],
    ["?colour=red", "unknown parameter colour"],
  ])("answers 400 naming the parameter for %s", async (query, named) => {
    const res = await fetch(`${await start()}/api/v1/alerts${query}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.message).toContain(named);
  });
});

describe("models", () => {
  it("says warming up before a model exists and summarises the model after", async () => {
    let model: ReturnType<ApiProviders["model"]> = null;
    const url = await start({}, fakes({ model: () => model }).providers);
    expect(await (await fetch(`${url}/api/v1/models`)).json()).toEqual({ status: "warming_up", model: null });
    model = { version: "v7", trainedAt: "2026-01-01T00:00:00.000Z", samples: 5000, windowMs: 604_800_000 };
    expect(await (await fetch(`${url}/api/v1/models`)).json()).toEqual({ status: "loaded", model });
  });

  it("reports warm-up progress in /api/v1/models and /readyz (still ready) while warming up", async () => {
    const warmUp = { samples: 412, minSamples: 500, observed: 4120, etaSeconds: 88 };
    const f = fakes({ warmUp: () => warmUp });
    f.setReadiness({ sources: [{ name: "kafka", connected: true }], model: "warming_up", warmUp });
    const url = await start({}, f.providers);
    expect(await (await fetch(`${url}/api/v1/models`)).json()).toEqual({
      status: "warming_up",
      model: null,
      warmUp,
    });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", model: "warming_up", warmUp });
  });

  it.each([
    [{ status: "started" }, 202, "started"],
    [{ status: "completed", version: "v8" }, 200, "completed"],
    [{ status: "already_running" }, 409, "retrain_in_progress"],
    [{ status: "rejected", message: "too few samples (12 < 500)" }, 422, "retrain_rejected"],
    [{ status: "failed", message: "worker crashed" }, 500, "internal"],
  ] as const)("POST retrain answering %j gives %d", async (outcome, status, word) => {
    const f = fakes();
    f.setRetrain(outcome as RetrainOutcome);
    const res = await fetch(`${await start({}, f.providers)}/api/v1/models/retrain`, { method: "POST" });
    expect(res.status).toBe(status);
    expect(await res.text()).toContain(word);
  });
});

describe("POST /api/v1/score", () => {
  it("scores the spans of one trace and returns features, score and would-be alerts", async () => {
    const f = fakes();
    const url = await start({}, f.providers);
    const res = await fetch(`${url}/api/v1/score`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([
        span(T1, "00f067aa0ba902b7", null),
        span(T1, "00f067aa0ba902b8", "00f067aa0ba902b7"),
      ]),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ features: { span_count: 2 }, anomalyScore: 0.5, alerts: [] });
    expect(f.scored[0]?.map((s) => s.spanId)).toEqual(["00f067aa0ba902b7", "00f067aa0ba902b8"]);
  });

  it.each([
    [
      "spans of two traces",
      JSON.stringify([span(T1, "00f067aa0ba902b7", null), span(T2, "00f067aa0ba902b8", null)]),
      "application/json",
      400,
      "2 traces",
    ],
    ["an invalid span", JSON.stringify([{ ...span(T1, "xyz", null) }]), "application/json", 400, "span 0"],
    ["broken JSON", "[{", "application/json", 400, "invalid_request"],
    ["an empty body", "", "application/json", 400, "invalid_request"],
    ["a non-JSON media type", "a,b", "text/csv", 415, "unsupported_media_type"],
    [
      "a body over the limit",
      JSON.stringify([span(T1, "00f067aa0ba902b7", null)]).padEnd(5000, " "),
      "application/json",
      413,
      "payload_too_large",
    ],
  ])("answers %s with %d", async (_what, body, type, status, word) => {
    const f = fakes();
    const url = await start({ maxBodyBytes: 4096 }, f.providers);
    const res = await fetch(`${url}/api/v1/score`, {
      method: "POST",
      headers: { "content-type": type },
      body,
    });
    expect(res.status).toBe(status);
    expect(await res.text()).toContain(word);
    expect(f.scored).toEqual([]);
  });
});

describe("authentication", () => {
  it.each([
    ["no header", undefined, 401],
    ["a wrong token", `Bearer ${TOKEN}x`, 401],
    ["a non-bearer scheme", `Basic ${TOKEN}`, 401],
    ["the token", `Bearer ${TOKEN}`, 202],
  ])("POST retrain with %s answers %d", async (_what, header, status) => {
    const url = await start({ token: TOKEN });
    const res = await fetch(`${url}/api/v1/models/retrain`, {
      method: "POST",
      headers: header === undefined ? {} : { authorization: header },
    });
    expect(res.status).toBe(status);
    if (status === 401) {
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      expect(await res.json()).toEqual({
        error: { code: "unauthorized", message: "missing or wrong bearer token" },
      });
    }
  });

  it.each([
    ["POST", "/%61pi/v1/models/retrain"],
    ["POST", "/api/v1/models/%72etrain"],
    ["GET", "/%61pi/v1/alerts"],
    ["GET", "/api/v1/alerts/"],
  ])("cannot be bypassed by %s %s", async (method, path) => {
    const res = await fetch(`${await start({ token: TOKEN })}${path}`, { method });
    expect([401, 404]).toContain(res.status);
  });

  it("needs no token on loopback when none is configured", async () => {
    expect((await fetch(`${await start()}/api/v1/models/retrain`, { method: "POST" })).status).toBe(202);
  });

  it.each(["0.0.0.0", "::", "192.0.2.10"])("refuses to listen on %s without a token", (host) => {
    const f = fakes();
    try {
      createApiServer({ host, port: 0, registry: new Registry(), providers: f.providers });
      throw new Error("created");
    } catch (err) {
      expect(isTracewatchError(err, "TW_CONFIG_INVALID")).toBe(true);
      expect((err as Error).message).toContain(host);
    }
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await fetch(`${await start()}/api/v2/nothing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: "not_found", message: "no route GET /api/v2/nothing" },
    });
  });
});
