import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import SwaggerParser from "@apidevtools/swagger-parser";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { createApiServer } from "../../../src/http/api.js";
import { apiDocument, renderApiReference, type OpenApiDocument } from "../../../src/http/api-reference.js";
import { warmingUpProviders } from "../../helpers/api-providers.js";

const DOC = fileURLToPath(new URL("../../../docs/api.md", import.meta.url));
const TOKEN = "s3cret-token-0123456789";
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(token?: string): Promise<string> {
  const providers = warmingUpProviders({ decode: () => ({ spans: [], rejected: [] }) });
  const server = createApiServer({
    host: "127.0.0.1",
    port: 0,
    registry: new Registry(),
    providers,
    ...(token === undefined ? {} : { token }),
  });
  servers.push(server);
  return (await server.listen()).url;
}

const ROUTES = [
  "get /healthz",
  "get /readyz",
  "get /metrics",
  "get /api/v1/alerts",
  "get /api/v1/models",
  "post /api/v1/models/retrain",
  "post /api/v1/score",
  "get /api/v1/openapi.json",
];

describe("GET /api/v1/openapi.json", () => {
  it("serves a valid OpenAPI 3.1 document describing every route", async () => {
    const res = await fetch(`${await start(TOKEN)}/api/v1/openapi.json`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApiDocument & { openapi: string };
    expect(doc.openapi).toBe("3.1.0");
    await SwaggerParser.validate(structuredClone(doc) as never);
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`),
    );
    expect(routes.sort()).toEqual([...ROUTES].sort());
  });

  it("needs the bearer token like the rest of /api/v1", async () => {
    expect((await fetch(`${await start(TOKEN)}/api/v1/openapi.json`)).status).toBe(401);
  });

  it("documents the alert filters and pagination from the validating schema", async () => {
    const doc = await apiDocument();
    const alerts = doc.paths["/api/v1/alerts"]?.get;
    const params = Object.fromEntries((alerts?.parameters ?? []).map((p) => [p.name, p]));
    expect(Object.keys(params).sort()).toEqual([
      "cursor",
      "limit",
      "service",
      "severity",
      "since",
      "type",
      "until",
    ]);
    expect(params.since?.schema).toMatchObject({ type: "string", format: "date-time" });
    expect(params.limit?.schema).toMatchObject({ type: "integer", minimum: 1, maximum: 1000, default: 100 });
    expect(params.severity?.schema?.pattern).toContain("critical");
    expect(alerts?.responses?.["200"]?.content?.["application/json"]?.schema).toEqual({
      $ref: "#/components/schemas/AlertPage",
    });
    const alert = doc.components?.schemas?.Alert;
    expect(alert?.required).toContain("severity");
    expect(JSON.stringify(doc)).not.toContain("#/$defs/");
  });
});

describe("docs/api.md", () => {
  it("is rendered from the current OpenAPI document (regenerate with TRACEWATCH_WRITE_DOCS=1)", async () => {
    const rendered = renderApiReference(await apiDocument());
    if (process.env.TRACEWATCH_WRITE_DOCS === "1") writeFileSync(DOC, rendered);
    expect(readFileSync(DOC, "utf8")).toBe(rendered);
    for (const route of ROUTES)
      expect(rendered).toContain(`### ${route.toUpperCase().replace(/ \/.*/, "")} ${route.split(" ")[1]}`);
  });
});
