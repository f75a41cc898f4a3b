import { readFileSync } from "node:fs";
import swagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import { COMPONENT_SCHEMAS } from "./api-schemas.js";

/** Where the document is served (same bearer token as the rest of /api/v1). */
export const OPENAPI_PATH = "/api/v1/openapi.json";

type JsonObject = Record<string, unknown>;

/** Rewrites `#/$defs/x` references to the component `Alert_x`. */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (typeof node !== "object" || node === null) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) =>
      key === "$ref" && typeof value === "string" && value.startsWith("#/$defs/")
        ? [key, `#/components/schemas/Alert_${value.slice("#/$defs/".length)}`]
        : [key, rewriteRefs(value)],
    ),
  );
}

/** schemas/alert.v1.json as OpenAPI components: `Alert` and its `$defs` as `Alert_<name>`. */
export function alertComponents(): Record<string, JsonObject> {
  const file = new URL("../../schemas/alert.v1.json", import.meta.url);
  const { $schema: _s, $id: _i, $defs, ...alert } = JSON.parse(readFileSync(file, "utf8")) as JsonObject;
  const defs = Object.entries(($defs ?? {}) as Record<string, JsonObject>).map(
    ([name, schema]) => [`Alert_${name}`, rewriteRefs(schema) as JsonObject] as const,
  );
  return { Alert: rewriteRefs(alert) as JsonObject, ...Object.fromEntries(defs) };
}

/**
 * Registers @fastify/swagger, which builds the OpenAPI 3.1 document from the routes' schemas
 * (src/http/api-schemas.ts), and serves it. The schemas only document: fastify's validation and
 * serialization compilers are replaced by pass-throughs because the handlers validate with zod
 * and write their own JSON.
 */
export function registerOpenApi(app: FastifyInstance): void {
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  void app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "tracewatch API",
        version: "1",
        description:
          'Probes, metrics and the v1 API of a running `tracewatch serve`. Every `/api/v1` route needs `Authorization: Bearer <spec.api.token>` when a token is configured (required beyond loopback). Errors are `{ "error": { "code", "message" } }`.',
      },
      servers: [{ url: "http://127.0.0.1:8080", description: "Default spec.api host and port" }],
      tags: [
        { name: "probes", description: "Health, readiness and metrics (no token)." },
        { name: "alerts", description: "Alerts raised about the traced services." },
        { name: "models", description: "The anomaly model." },
        { name: "score", description: "Score a trace on demand." },
        { name: "views", description: "Service map, kept traces and model status (the dashboard's data)." },
        { name: "meta", description: "This document." },
      ],
      components: {
        securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } },
        schemas: { ...(COMPONENT_SCHEMAS as unknown as Record<string, JsonObject>), ...alertComponents() },
      },
    },
  });
}
