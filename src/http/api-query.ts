import { z } from "zod";
import { SEVERITY_LEVELS } from "../core/rules/severity.js";
import type { AlertQuery } from "./api-types.js";

const LEVELS = SEVERITY_LEVELS.join("|");
const DATE_TIME = "must be an RFC 3339 date-time with a time zone, like 2026-01-01T12:00:00Z";

/**
 * The query string of `GET /api/v1/alerts`. The handler validates with it, and the OpenAPI
 * document's parameters are generated from it (one source for both).
 */
export const alertsQuery = z
  .strictObject({
    type: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, "must be an alert type like latency_spike")
      .optional()
      .describe("Only alerts of this type (rule name), e.g. `latency_spike`."),
    service: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe("Only alerts about this service: the alert's `service` or its `rootService`."),
    severity: z
      .string()
      .regex(
        new RegExp(`^(${LEVELS})(,(${LEVELS}))*$`),
        `must be one or more of ${SEVERITY_LEVELS.join(", ")}, comma-separated`,
      )
      .optional()
      .describe("Only alerts of these severities, comma-separated, e.g. `high,critical`."),
    since: z.iso
      .datetime({ offset: true, message: DATE_TIME })
      .optional()
      .describe("Only alerts detected at or after this instant (RFC 3339, `detectedAt`)."),
    until: z.iso
      .datetime({ offset: true, message: DATE_TIME })
      .optional()
      .describe("Only alerts detected before this instant (RFC 3339, `detectedAt`)."),
    limit: z.coerce.number().int().min(1).max(1000).default(100).describe("Alerts per page, newest first."),
    cursor: z
      .string()
      .regex(/^[0-9]{1,15}$/, "must be the `next` value of a previous page")
      .optional()
      .describe("The `next` value of the previous page: continues with older alerts."),
  })
  .refine(
    (q) => q.since === undefined || q.until === undefined || Date.parse(q.since) < Date.parse(q.until),
    {
      message: "since must be before until",
      path: ["since"],
    },
  );

/** The parsed query as the alert log takes it. */
export function toAlertQuery(q: z.infer<typeof alertsQuery>): AlertQuery {
  return {
    limit: q.limit,
    ...(q.type === undefined ? {} : { type: q.type }),
    ...(q.service === undefined ? {} : { service: q.service }),
    ...(q.severity === undefined ? {} : { severities: q.severity.split(",") }),
    ...(q.since === undefined ? {} : { sinceMs: Date.parse(q.since) }),
    ...(q.until === undefined ? {} : { untilMs: Date.parse(q.until) }),
    ...(q.cursor === undefined ? {} : { before: Number(q.cursor) }),
  };
}

/** One line naming each bad parameter: `limit: Too big: ...; unknown parameter colour`. */
export function queryProblem(error: z.ZodError): string {
  return error.issues
    .map(
      (i) =>
        `${i.path.join(".") || "query"}: ${i.code === "unrecognized_keys" ? `unknown parameter ${i.keys.join(", ")}` : i.message}`,
    )
    .join("; ");
}

/** JSON Schema of the query string for the OpenAPI document (long generated patterns dropped). */
export function alertsQuerySchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(alertsQuery, { io: "input", unrepresentable: "any" }) as {
    properties: Record<string, Record<string, unknown>>;
  };
  delete (schema as Record<string, unknown>).$schema;
  for (const property of Object.values(schema.properties))
    if (property.format === "date-time") delete property.pattern;
  return schema;
}
