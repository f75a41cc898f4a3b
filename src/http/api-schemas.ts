import type { FastifySchema } from "fastify";
import { API_ERROR_CODES } from "./api-errors.js";
import { alertsQuerySchema } from "./api-query.js";

/**
 * The JSON Schemas of the API's routes. They document the routes in the OpenAPI document
 * (`GET /api/v1/openapi.json`, docs/api.md); requests are validated by the handlers (zod), and
 * responses are written by them, so these schemas never change what a route accepts or answers.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const error = (description: string) => json(ref("Error"), description);
const SECURED = [{ bearerAuth: [] }];
const UNAUTHORIZED = error("Missing or wrong bearer token (when `spec.api.token` is set).");

/** Component schemas shared by the routes; `Alert` comes from schemas/alert.v1.json. */
export const COMPONENT_SCHEMAS = {
  Error: {
    type: "object",
    required: ["error"],
    properties: { error: ref("ErrorDetail") },
  },
  ErrorDetail: {
    type: "object",
    required: ["code", "message"],
    properties: {
      code: { enum: [...API_ERROR_CODES], description: "Machine-readable error code." },
      message: { type: "string", description: "What was wrong, naming the parameter or part." },
    },
  },
  AlertPage: {
    type: "object",
    required: ["count", "alerts", "next"],
    properties: {
      count: { type: "integer", minimum: 0, description: "Alerts on this page." },
      alerts: { type: "array", items: ref("Alert"), description: "Newest first." },
      next: {
        type: ["string", "null"],
        description: "Pass as `cursor` to get the next (older) page; null on the last page.",
      },
    },
  },
  Readiness: {
    type: "object",
    required: ["status", "sources", "model"],
    properties: {
      status: { enum: ["ready", "not_ready"] },
      sources: {
        type: "array",
        items: {
          type: "object",
          required: ["name", "connected"],
          properties: {
            name: { type: "string" },
            connected: { type: "boolean" },
            detail: { type: "string" },
          },
        },
        description: "Each span source and whether it is connected.",
      },
      model: { enum: ["loaded", "warming_up", "unavailable"] },
      components: {
        type: "array",
        items: {
          type: "object",
          required: ["name", "ready"],
          properties: {
            name: { type: "string" },
            ready: { type: "boolean" },
            reason: { type: "string" },
            since: { type: "string", format: "date-time" },
          },
        },
        description: "Live state of the parts the service depends on.",
      },
      warmUp: ref("WarmUp"),
    },
  },
  WarmUp: {
    type: "object",
    required: ["samples", "minSamples", "observed", "etaSeconds"],
    description:
      "While the model is warming up (ready): progress towards the first model. Every trace is kept until the window holds minSamples.",
    properties: {
      samples: { type: "integer", description: "Model samples the training window holds." },
      minSamples: {
        type: "integer",
        description: "Samples the first model needs (spec.training.min_samples).",
      },
      observed: { type: "integer", description: "Traces observed since start." },
      etaSeconds: {
        type: ["integer", "null"],
        description: "Seconds until minSamples at the sample rate of the last minute; null while unknown.",
      },
    },
  },
  ModelStatus: {
    type: "object",
    required: ["status", "model"],
    properties: {
      status: { enum: ["loaded", "warming_up"] },
      model: {
        oneOf: [{ type: "null" }, ref("ModelSummary")],
        description: "null while warming up.",
      },
      warmUp: ref("WarmUp"),
    },
  },
  ModelSummary: {
    type: "object",
    required: ["version", "trainedAt", "samples", "windowMs"],
    properties: {
      version: { type: "string" },
      trainedAt: { type: "string", format: "date-time", description: "Wall-clock time of training." },
      samples: { type: "integer", description: "Training samples the model was fitted on." },
      windowMs: { type: "integer", description: "Training window, ms." },
    },
    additionalProperties: true,
    description: "Further fields: detector, training window, columns, parameters, baselines, edges.",
  },
  ScoreResult: {
    type: "object",
    required: ["traceId", "features", "anomalyScore", "alerts"],
    properties: {
      traceId: { type: "string" },
      features: { type: "object", description: "Feature values keyed by snake_case name." },
      anomalyScore: { type: ["number", "null"], description: "null while warming up." },
      modelVersion: { type: ["string", "null"] },
      warmingUp: { type: "boolean" },
      alerts: { type: "array", items: ref("Alert"), description: "Would fire; none is emitted." },
    },
    additionalProperties: true,
  },
  RetrainResult: {
    type: "object",
    required: ["status"],
    properties: {
      status: { enum: ["started", "completed"] },
      version: { type: "string", description: "The model installed (completed)." },
    },
  },
} as const;

/** Route schemas by route, in the order docs/api.md lists them. */
export const ROUTE_SCHEMAS = {
  healthz: {
    tags: ["probes"],
    summary: "Liveness",
    description: "200 while the process runs; 503 once shutdown began. No token needed.",
    response: {
      200: json({ type: "object", properties: { status: { const: "ok" } } }, "Alive."),
      503: json({ type: "object", properties: { status: { const: "shutting_down" } } }, "Stopping."),
    },
  },
  readyz: {
    tags: ["probes"],
    summary: "Readiness",
    description:
      "200 when every source is connected, the model is loaded or warming up and every component works; otherwise 503 with the reason. No token needed.",
    response: {
      200: json(ref("Readiness"), "Ready."),
      503: json(ref("Readiness"), "Not ready; the report says which part and why."),
    },
  },
  metrics: {
    tags: ["probes"],
    summary: "Prometheus metrics",
    description: "Text exposition format 0.0.4 (docs/metrics.md). No token needed.",
    response: {
      200: {
        description: "The metrics.",
        content: { "text/plain": { schema: { type: "string" } } },
      },
    },
  },
  alerts: {
    tags: ["alerts"],
    summary: "Recent alerts",
    description:
      "The most recent alerts kept in memory (`spec.alerting.recent_alerts`), newest first, filtered by type, service, severity and time, one page at a time: pass a page's `next` as `cursor` for the next, older page. Pages neither repeat nor skip alerts while new ones arrive; a cursor is valid until the service restarts.",
    querystring: alertsQuerySchema(),
    security: SECURED,
    response: {
      200: json(ref("AlertPage"), "One page of alerts."),
      400: error("A parameter is invalid or unknown; the message names it."),
      401: UNAUTHORIZED,
    },
  },
  models: {
    tags: ["models"],
    summary: "Model in use",
    security: SECURED,
    response: { 200: json(ref("ModelStatus"), "The model, or warming up."), 401: UNAUTHORIZED },
  },
  retrain: {
    tags: ["models"],
    summary: "Retrain now",
    description: "Trains a model from the training window and installs it when it passes its checks.",
    security: SECURED,
    response: {
      200: json(ref("RetrainResult"), "Trained and installed."),
      202: json(ref("RetrainResult"), "Started."),
      401: UNAUTHORIZED,
      409: error("A retrain is already running."),
      422: error("The new model was refused (too few samples, failed checks)."),
      500: error("The retrain failed."),
    },
  },
  score: {
    tags: ["score"],
    summary: "Score one trace",
    description:
      "Features, anomaly score and the alerts that would fire for the spans of one trace, as native span JSON (an array, or NDJSON) or OTLP/JSON. Nothing is emitted and no cooldown changes.",
    consumes: ["application/json", "application/x-ndjson"],
    body: { description: "The spans of one trace." },
    security: SECURED,
    response: {
      200: json(ref("ScoreResult"), "The trace scored."),
      400: error("Not spans, no spans, or spans of more than one trace."),
      401: UNAUTHORIZED,
      413: error("Body larger than the limit (4 MiB)."),
      415: error("Content type other than JSON or NDJSON."),
    },
  },
  openapi: {
    tags: ["meta"],
    summary: "This OpenAPI document",
    description: "The API's OpenAPI 3.1 document; docs/api.md is rendered from it.",
    security: SECURED,
    response: {
      200: json({ type: "object" }, "The document."),
      401: UNAUTHORIZED,
    },
  },
} satisfies Record<string, FastifySchema & Record<string, unknown>>;
