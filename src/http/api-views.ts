import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { parseDuration } from "../config/duration.js";
import type { KeptTraceSummary } from "../core/kept/kept-traces.js";
import type { ServiceMap } from "../core/service-map/graph.js";
import type { TraceView } from "../core/trace-view/trace-view.js";
import type { KeptAlert } from "../core/kept/kept-traces.js";
import { sendError, sendJson } from "./api-errors.js";
import { queryProblem } from "./api-query.js";
import {
  ERROR_BODY,
  HEX_ID,
  SECURED,
  UNAUTHORIZED,
  hexIdParams,
  jsonResponse,
  querySchema,
} from "./route-docs.js";

/** Warm-up and model figures for the dashboard's status panel. */
export interface ModelStatus {
  readonly status: "warming_up" | "loaded";
  /** Training samples collected and the minimum the first model needs. */
  readonly warmUp: { readonly samples: number; readonly required: number };
  readonly version: string | null;
  /** ISO 8601 UTC; null while warming up. */
  readonly trainedAt: string | null;
  /** Samples the model in use was trained on; null while warming up. */
  readonly samples: number | null;
}

/** A kept trace as `GET /api/v1/traces/{traceId}` answers it. */
export type TraceDetail = TraceView & {
  readonly alerts: readonly KeptAlert[];
  /** The spans as received (times as decimal nanosecond strings). */
  readonly spans: readonly unknown[];
};

/** What the on-call views read from the running service (see src/service/views.ts). */
export interface ViewProviders {
  /** The service map of the last `windowMs`. */
  serviceMap(windowMs: number): ServiceMap;
  /** Longest window the service map holds, ms. */
  readonly maxWindowMs: number;
  /** Default window (the ServiceGraph document's `spec.data_source.window`), ms. */
  readonly defaultWindowMs: number;
  /** A kept trace with its view, or null when it is not (or no longer) kept. */
  trace(traceId: string): TraceDetail | null;
  /** Kept traces, newest first. */
  traces(filter: { service?: string; edge?: string; limit: number }): readonly KeptTraceSummary[];
  modelStatus(): ModelStatus;
}

const WINDOW_RE = /^\d+(\.\d+)?(ms|s|m|h|d)$/;
export const serviceMapQuery = z.strictObject({
  window: z
    .string()
    .regex(WINDOW_RE, "must be a duration like 30s, 5m or 1h")
    .optional()
    .describe("Time range ending now, e.g. `5m` (default: the ServiceGraph window)."),
});
export const tracesQuery = z.strictObject({
  service: z.string().min(1).max(256).optional().describe("Only traces this service took part in."),
  edge: z
    .string()
    .regex(/^.+->.+$/, "must be caller->callee")
    .max(513)
    .optional()
    .describe("Only traces with a call along this edge, `caller->callee`."),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe("Traces per answer (1-500)."),
});

const node = {
  type: "object",
  properties: {
    id: { type: "string" },
    requests: { type: "integer" },
    requestRate: { type: "number", description: "Requests per second." },
    errorRate: { type: "number", description: "Fraction of failed requests." },
    p50Ms: { type: ["number", "null"] },
    p95Ms: { type: ["number", "null"] },
    p99Ms: { type: ["number", "null"] },
    health: { enum: ["healthy", "warning", "critical"] },
    inDegree: { type: "integer" },
    outDegree: { type: "integer" },
    betweenness: { type: "number", description: "Normalised betweenness centrality." },
    criticalPath: { type: "boolean" },
    incidents: { type: "array", items: { type: "object" }, description: "Open incidents with this culprit." },
  },
};
const edge = {
  type: "object",
  properties: {
    source: { type: "string" },
    target: { type: "string" },
    requests: { type: "integer" },
    avgLatencyMs: { type: "number" },
    p95LatencyMs: { type: "number" },
    errorRate: { type: "number" },
    isNew: {
      type: ["boolean", "null"],
      description: "Not known to the model in use; null while warming up.",
    },
  },
};

/** Route schemas of the on-call views (they document; handlers validate with zod). */
export const VIEW_SCHEMAS = {
  serviceMap: {
    tags: ["views"],
    summary: "Service map",
    description:
      "Services and the calls between them over a recent window, from completed traces: request rate, error rate and health (healthy < 1%, warning 1-5%, critical > 5% by default), latency percentiles, degree, betweenness centrality, the critical path, new edges, and open incidents on their culprit.",
    querystring: querySchema(serviceMapQuery),
    security: SECURED,
    response: {
      200: jsonResponse("The map.", {
        type: "object",
        properties: {
          from: { type: "string", format: "date-time" },
          to: { type: "string", format: "date-time" },
          windowMs: { type: "integer" },
          nodes: { type: "array", items: node },
          edges: { type: "array", items: edge },
          criticalPath: { type: "array", items: { type: "string" } },
          overflowed: { type: "integer" },
        },
      }),
      400: jsonResponse("The window is invalid or longer than the map holds.", ERROR_BODY),
      401: UNAUTHORIZED,
    },
  },
  traces: {
    tags: ["views"],
    summary: "Kept traces",
    description: "Traces kept in memory (every trace that raised an alert, bounded), newest first.",
    querystring: querySchema(tracesQuery),
    security: SECURED,
    response: {
      200: jsonResponse("Trace summaries.", {
        type: "object",
        properties: { count: { type: "integer" }, traces: { type: "array", items: { type: "object" } } },
      }),
      400: jsonResponse("A parameter is invalid.", ERROR_BODY),
      401: UNAUTHORIZED,
    },
  },
  trace: {
    tags: ["views"],
    summary: "One kept trace",
    description:
      "A kept trace: its spans, waterfall rows (offset, duration, self time, depth, error, critical, culprit, the operation's baseline p50/p99 and the excess over p99 when the model has one), self time per service and the critical path.",
    params: hexIdParams("traceId"),
    security: SECURED,
    response: {
      200: jsonResponse("The trace."),
      400: jsonResponse("Not a trace id (32 lowercase hex).", ERROR_BODY),
      401: UNAUTHORIZED,
      404: jsonResponse("Not kept (never alerted, or evicted).", ERROR_BODY),
    },
  },
  status: {
    tags: ["views"],
    summary: "Model status for the dashboard",
    description: "Warm-up progress, model version, training time and samples.",
    security: SECURED,
    response: { 200: jsonResponse("The status."), 401: UNAUTHORIZED },
  },
};

/** Registers the service map, kept traces and dashboard status routes under /api/v1. */
export function registerViewRoutes(app: FastifyInstance, views: ViewProviders): void {
  app.get("/api/v1/service-map", { schema: VIEW_SCHEMAS.serviceMap }, async (request, reply) => {
    const q = serviceMapQuery.safeParse(request.query);
    if (!q.success) return sendError(reply, 400, "invalid_request", queryProblem(q.error));
    const windowMs = q.data.window === undefined ? views.defaultWindowMs : parseDuration(q.data.window);
    if (windowMs === null || windowMs <= 0 || windowMs > views.maxWindowMs)
      return sendError(
        reply,
        400,
        "invalid_request",
        `window: must be a duration above 0 and at most ${views.maxWindowMs / 1000}s`,
      );
    return sendJson(reply, 200, views.serviceMap(windowMs));
  });
  app.get("/api/v1/traces", { schema: VIEW_SCHEMAS.traces }, async (request, reply) => {
    const q = tracesQuery.safeParse(request.query);
    if (!q.success) return sendError(reply, 400, "invalid_request", queryProblem(q.error));
    const traces = views.traces(q.data);
    return sendJson(reply, 200, { count: traces.length, traces });
  });
  app.get("/api/v1/traces/:traceId", { schema: VIEW_SCHEMAS.trace }, async (request, reply) => {
    const { traceId } = request.params as { traceId: string };
    if (!HEX_ID.test(traceId))
      return sendError(reply, 400, "invalid_request", "traceId: must be 32 lowercase hex characters");
    const trace = views.trace(traceId);
    if (trace === null) return sendError(reply, 404, "not_found", `trace ${traceId} is not kept`);
    return sendJson(reply, 200, trace);
  });
  app.get("/api/v1/status", { schema: VIEW_SCHEMAS.status }, async (_request, reply) =>
    sendJson(reply, 200, views.modelStatus()),
  );
}
