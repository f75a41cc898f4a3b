import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { FastifyInstance } from "fastify";
import { installErrorHandlers, sendError, sendJson } from "./api-errors.js";
import { registerApiRoutes, registerProbeRoutes } from "./api-routes.js";
import { ROUTE_SCHEMAS } from "./api-schemas.js";
import type { ApiProviders } from "./api-types.js";
import { bearerAuthorized } from "./auth.js";
import { registerDashboard } from "./dashboard.js";
import { registerViewRoutes } from "./api-views.js";
import { registerIncidentRoutes } from "./api-incidents.js";
import { OPENAPI_PATH, registerOpenApi } from "./openapi.js";
import {
  assertBindAllowed,
  httpServer,
  rawBodyServer,
  type ConnectionLimits,
  type HttpServer,
} from "./listen.js";

/** Options of {@link createApiServer}. */
export interface ApiServerOptions {
  /** Listen address; default 127.0.0.1. Beyond loopback a token is required. */
  readonly host?: string;
  /** Listen port; default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Bearer token for /api/v1/*; absent: no authentication (loopback only). */
  readonly token?: string;
  /** Registry served on /metrics. */
  readonly registry: Registry;
  readonly providers: ApiProviders;
  /** Largest request body (POST /api/v1/score), bytes; default 4 MiB. */
  readonly maxBodyBytes?: number;
  /** Timeouts and connection cap against slow clients; defaults in {@link ConnectionLimits}. */
  readonly limits?: ConnectionLimits;
  readonly logger?: Logger;
  /** Built dashboard files served at `/`; default the package's dist/dashboard/. */
  readonly dashboardDir?: string;
  /** True once shutdown began: /healthz and /readyz answer 503. Default never. */
  readonly isShuttingDown?: () => boolean;
}

/** The HTTP API server. */
export type ApiServer = HttpServer;

/**
 * The HTTP API: `/healthz`, `/readyz`, `/metrics` (open) and `/api/v1/*` (bearer token when one
 * is configured): alerts, models, retrain, score and the OpenAPI document. Throws
 * TW_CONFIG_INVALID at creation when asked to listen beyond loopback without a token.
 */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const host = options.host ?? "127.0.0.1";
  assertBindAllowed(host, options.token);
  return httpServer(buildApiApp(options), host, options.port ?? 8080, {
    server: "the API",
    portKey: "spec.api.port",
    portEnv: "TRACEWATCH_API_PORT",
    hostKey: "spec.api.host",
  });
}

/** The API's routes on a fastify instance that does not listen (also for the OpenAPI document). */
export function buildApiApp(options: ApiServerOptions): FastifyInstance {
  const app = rawBodyServer(
    options.maxBodyBytes ?? 4 * 1024 * 1024,
    ["application/json", "application/x-ndjson"],
    options.limits,
  );
  installErrorHandlers(app, options.logger);
  app.addHook("onRequest", async (request, reply) => {
    // Decide on the matched route, not the raw URL: "/%61pi/..." routes to /api/... too.
    const route = request.routeOptions.url;
    if (route === undefined || !route.startsWith("/api/")) return;
    if (!bearerAuthorized(request.headers.authorization, options.token)) {
      reply.header("www-authenticate", 'Bearer realm="tracewatch"');
      return sendError(reply, 401, "unauthorized", "missing or wrong bearer token");
    }
  });
  registerOpenApi(app);
  // Routes in a plugin after @fastify/swagger's, so that its onRoute hook sees every one.
  void app.register(async (routes) => {
    registerProbeRoutes(routes, options.providers, options.registry, options.isShuttingDown ?? (() => false));
    registerApiRoutes(routes, options.providers);
    if (options.providers.incidents !== undefined)
      registerIncidentRoutes(routes, options.providers.incidents);
    if (options.providers.views !== undefined) {
      registerViewRoutes(routes, options.providers.views);
      registerDashboard(routes, options.dashboardDir);
    }
    routes.get(OPENAPI_PATH, { schema: ROUTE_SCHEMAS.openapi }, async (_request, reply) =>
      sendJson(reply, 200, app.swagger()),
    );
  });
  return app;
}
