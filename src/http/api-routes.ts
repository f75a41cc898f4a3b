import type { FastifyInstance, FastifyReply } from "fastify";
import type { Registry } from "prom-client";
import { describeRejection } from "../decode/index.js";
import type { ApiProviders, RetrainOutcome } from "./api-types.js";
import { sendError, sendJson } from "./api-errors.js";
import { alertsQuery, queryProblem, toAlertQuery } from "./api-query.js";
import { ROUTE_SCHEMAS } from "./api-schemas.js";

export function registerProbeRoutes(
  app: FastifyInstance,
  providers: ApiProviders,
  registry: Registry,
  isShuttingDown: () => boolean,
): void {
  app.get("/healthz", { schema: ROUTE_SCHEMAS.healthz }, async (_request, reply) =>
    isShuttingDown()
      ? sendJson(reply, 503, { status: "shutting_down" })
      : sendJson(reply, 200, { status: "ok" }),
  );
  app.get("/readyz", { schema: ROUTE_SCHEMAS.readyz }, async (_request, reply) => {
    const report = await providers.readiness();
    const ready =
      !isShuttingDown() &&
      report.model !== "unavailable" &&
      report.sources.every((s) => s.connected) &&
      (report.components ?? []).every((c) => c.ready);
    return sendJson(reply, ready ? 200 : 503, { status: ready ? "ready" : "not_ready", ...report });
  });
  app.get("/metrics", { schema: ROUTE_SCHEMAS.metrics }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
}

const RETRAIN_STATUS: Record<RetrainOutcome["status"], number> = {
  started: 202,
  already_running: 409,
  completed: 200,
  rejected: 422,
  failed: 500,
};

function sendRetrain(reply: FastifyReply, outcome: RetrainOutcome): FastifyReply {
  const status = RETRAIN_STATUS[outcome.status];
  if (outcome.status === "already_running")
    return sendError(reply, status, "retrain_in_progress", "a retrain is already running");
  if (outcome.status === "rejected") return sendError(reply, status, "retrain_rejected", outcome.message);
  if (outcome.status === "failed") return sendError(reply, status, "internal", outcome.message);
  return sendJson(reply, status, outcome);
}

export function registerApiRoutes(app: FastifyInstance, providers: ApiProviders): void {
  app.get("/api/v1/alerts", { schema: ROUTE_SCHEMAS.alerts }, async (request, reply) => {
    const query = alertsQuery.safeParse(request.query);
    if (!query.success) return sendError(reply, 400, "invalid_request", queryProblem(query.error));
    const page = providers.alerts.page(toAlertQuery(query.data));
    return sendJson(reply, 200, {
      count: page.alerts.length,
      alerts: page.alerts,
      next: page.next === null ? null : String(page.next),
    });
  });
  app.get("/api/v1/models", { schema: ROUTE_SCHEMAS.models }, async (_request, reply) => {
    const model = providers.model();
    const warmUp = model === null ? (providers.warmUp?.() ?? null) : null;
    return sendJson(
      reply,
      200,
      model === null
        ? { status: "warming_up", model: null, ...(warmUp === null ? {} : { warmUp }) }
        : { status: "loaded", model },
    );
  });
  app.post("/api/v1/models/retrain", { schema: ROUTE_SCHEMAS.retrain }, async (_request, reply) =>
    sendRetrain(reply, await providers.retrain()),
  );
  app.post("/api/v1/score", { schema: ROUTE_SCHEMAS.score }, async (request, reply) => {
    const body = request.body;
    if (!Buffer.isBuffer(body) || body.byteLength === 0)
      return sendError(
        reply,
        400,
        "invalid_request",
        "body must be the spans of one trace (native span JSON or OTLP JSON)",
      );
    const decoded = providers.decode(body);
    if (decoded.rejected.length > 0) {
      const reasons = decoded.rejected.slice(0, 5).map(describeRejection);
      return sendError(reply, 400, "invalid_request", reasons.join("; "));
    }
    if (decoded.spans.length === 0) return sendError(reply, 400, "invalid_request", "body contains no spans");
    const traces = new Set(decoded.spans.map((s) => s.traceId));
    if (traces.size > 1)
      return sendError(
        reply,
        400,
        "invalid_request",
        `spans belong to ${traces.size} traces; send the spans of one trace`,
      );
    return sendJson(reply, 200, await providers.score(decoded.spans));
  });
}
