import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Incident } from "../core/incidents/incident.js";
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

/** Incidents as the API reads them (the service's tracker). */
export interface IncidentProviders {
  /** Open and remembered resolved incidents, newest first. */
  list(): readonly Incident[];
  get(id: string): Incident | undefined;
}

const incidentsQuery = z.strictObject({
  status: z.enum(["open", "resolved"]).optional().describe("Only incidents in this state."),
  service: z.string().min(1).optional().describe("Only incidents about this service."),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe("Incidents per answer (1-1000)."),
});

const INCIDENT = {
  type: "object",
  description: "An incident, version 1 (schemas/incident.v1.json, `$defs.incident`).",
  properties: {
    id: { type: "string" },
    type: { type: "string" },
    service: { type: "string" },
    status: { type: "string", enum: ["open", "resolved"] },
    severity: { type: "string" },
    openedAt: { type: "string", format: "date-time" },
    lastSeenAt: { type: "string", format: "date-time" },
    resolvedAt: { type: ["string", "null"], format: "date-time" },
    traceCount: { type: "integer" },
    summary: { type: "string" },
    description: { type: "string" },
    traceIds: { type: "array", items: { type: "string" } },
  },
};

export const INCIDENT_SCHEMAS = {
  incidents: {
    tags: ["incidents"],
    summary: "Incidents, newest first",
    description:
      "Open incidents and the most recently resolved ones (spec.incidents.max_resolved): alerts of one type about one service, grouped, with counts, summary and evidence. The list leaves out each incident's trace ids and description; GET /api/v1/incidents/{id} has them.",
    querystring: querySchema(incidentsQuery),
    security: SECURED,
    response: {
      200: jsonResponse("The incidents.", {
        type: "object",
        properties: { count: { type: "integer" }, incidents: { type: "array", items: INCIDENT } },
      }),
      400: jsonResponse("A bad query parameter.", ERROR_BODY),
      401: UNAUTHORIZED,
    },
  },
  incident: {
    tags: ["incidents"],
    summary: "One incident with its traces",
    description:
      "The incident's latest state, its evidence and the ids of its most recent traces (at most 100).",
    params: hexIdParams("id"),
    security: SECURED,
    response: {
      200: jsonResponse("The incident.", INCIDENT),
      400: jsonResponse("Not an incident id (32 lowercase hex).", ERROR_BODY),
      401: UNAUTHORIZED,
      404: jsonResponse("No such incident (never opened here, or forgotten).", ERROR_BODY),
    },
  },
};

/** Registers GET /api/v1/incidents and GET /api/v1/incidents/{id}. */
export function registerIncidentRoutes(app: FastifyInstance, incidents: IncidentProviders): void {
  app.get("/api/v1/incidents", { schema: INCIDENT_SCHEMAS.incidents }, async (request, reply) => {
    const q = incidentsQuery.safeParse(request.query);
    if (!q.success) return sendError(reply, 400, "invalid_request", queryProblem(q.error));
    const { status, service, limit } = q.data;
    const list = incidents
      .list()
      .filter(
        (i) =>
          (status === undefined || i.status === status) && (service === undefined || i.service === service),
      )
      .slice(0, limit)
      .map(({ traceIds: _t, description: _d, ...rest }) => rest);
    return sendJson(reply, 200, { count: list.length, incidents: list });
  });
  app.get("/api/v1/incidents/:id", { schema: INCIDENT_SCHEMAS.incident }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!HEX_ID.test(id))
      return sendError(reply, 400, "invalid_request", "id: must be 32 lowercase hex characters");
    const incident = incidents.get(id);
    if (incident === undefined) return sendError(reply, 404, "not_found", `incident ${id} is not known`);
    return sendJson(reply, 200, incident);
  });
}
