import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { IncidentTracker } from "../../../src/core/incidents/tracker.js";
import { buildApiApp } from "../../../src/http/api.js";
import { sampleAlerts } from "../sinks/sample-alerts.js";
import { warmingUpProviders } from "../../helpers/api-providers.js";

const TOKEN = "s3cret-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}` };
const T0 = 1_700_000_000_000;

function setup() {
  const tracker = new IncidentTracker({ groupWindowMs: 60_000, quietPeriodMs: 60_000 });
  const alerts = sampleAlerts(3, T0);
  // Two alerts about one service open one incident; a third about another opens a second, resolved.
  tracker.observe({ ...alerts[0]!, service: "redis" });
  tracker.observe({ ...alerts[1]!, service: "redis" });
  tracker.observe({ ...alerts[2]!, service: "postgres", detectedAt: new Date(T0 - 600_000).toISOString() });
  tracker.tick(T0 - 1);
  const providers = warmingUpProviders({ incidents: tracker });
  return { app: buildApiApp({ registry: new Registry(), providers, token: TOKEN }), tracker, alerts };
}

describe("incident routes", () => {
  it("lists incidents newest first, filtered by status and service, without their trace ids", async () => {
    const { app } = setup();
    const all = (await app.inject({ url: "/api/v1/incidents", headers: auth })).json();
    expect(all.count).toBe(2);
    expect(all.incidents.map((i: { service: string; status: string }) => [i.service, i.status])).toEqual([
      ["redis", "open"],
      ["postgres", "resolved"],
    ]);
    expect(all.incidents[0].traceIds).toBeUndefined();
    expect(all.incidents[0].summary).toMatch(/^redis: /);
    const open = (await app.inject({ url: "/api/v1/incidents?status=open", headers: auth })).json();
    expect(open.incidents.map((i: { service: string }) => i.service)).toEqual(["redis"]);
    const pg = (await app.inject({ url: "/api/v1/incidents?service=postgres", headers: auth })).json();
    expect(pg.count).toBe(1);
    expect((await app.inject({ url: "/api/v1/incidents?status=closed", headers: auth })).statusCode).toBe(
      400,
    );
    expect((await app.inject({ url: "/api/v1/incidents" })).statusCode).toBe(401);
  });

  it("answers one incident with its trace ids, 404 for an unknown id and 400 for a malformed one", async () => {
    const { app, tracker, alerts } = setup();
    const id = tracker.openIncidents()[0]!.id;
    const res = await app.inject({ url: `/api/v1/incidents/${id}`, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, service: "redis", traceCount: 2 });
    expect(res.json().traceIds).toEqual([alerts[0]!.traceId, alerts[1]!.traceId]);
    expect((await app.inject({ url: `/api/v1/incidents/${"0".repeat(32)}`, headers: auth })).statusCode).toBe(
      404,
    );
    expect((await app.inject({ url: "/api/v1/incidents/nope", headers: auth })).statusCode).toBe(400);
  });

  it("documents both routes in the OpenAPI document", async () => {
    const { app } = setup();
    const doc = (await app.inject({ url: "/api/v1/openapi.json", headers: auth })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/v1/incidents", "/api/v1/incidents/{id}"]),
    );
  });
});
