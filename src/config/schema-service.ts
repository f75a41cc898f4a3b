import { z } from "zod";
import { DEFAULTS } from "./defaults.js";
import { duration, durationString, httpUrl, name, port, positiveInt, sinkUrl } from "./primitives.js";
import { checkConnectionLimits, connectionLimitsShape } from "./schema-http.js";
import { topicName } from "./schema-sources.js";

const a = DEFAULTS.assembly;
export const assemblySchema = z
  .strictObject({
    decision_wait: duration("A trace completes this long after its last span arrived.", a.decision_wait),
    root_grace: duration(
      "A trace whose root span arrived completes this long after its last span (if no parent is missing; earlier than decision_wait). Above the OpenTelemetry SDKs' 5 s export schedule.",
      a.root_grace,
    ),
    reopen_window: duration(
      "A completed trace keeps its spans this long: a late span re-opens it and it is scored again with all its spans. 0s: late spans are dropped.",
      a.reopen_window,
    ),
    max_traces: positiveInt
      .default(a.max_traces)
      .describe("Traces held in memory at most; the oldest completes early."),
    max_spans_per_trace: positiveInt
      .default(a.max_spans_per_trace)
      .describe("A trace reaching this completes at once."),
    max_bytes: positiveInt
      .default(a.max_bytes)
      .describe(
        "Estimated memory budget, bytes: open traces and the traces kept by tail sampling with their alerts (the store's SamplingStrategy spec.store.max_bytes, default min(64 MiB, a quarter of this), is carved out of it).",
      ),
  })
  .prefault({})
  .describe("Trace assembly limits.");

const tp = DEFAULTS.topics;
const ts = tp.settings;
const partitions = (n: number) =>
  positiveInt.max(100_000).default(n).describe("Partitions of the topic when tracewatch creates it.");
const retention = (d: string) =>
  duration("retention.ms of the topic when tracewatch creates it (cleanup.policy=delete).", d);
const deleteTopic = (d: { partitions: number; retention: string }, what: string) =>
  z
    .strictObject({ partitions: partitions(d.partitions), retention: retention(d.retention) })
    .prefault({})
    .describe(what);
const compactTopic = (d: { partitions: number; max_message_bytes?: number }, what: string) =>
  z
    .strictObject({
      partitions: partitions(d.partitions),
      max_message_bytes: (d.max_message_bytes === undefined
        ? positiveInt.optional()
        : positiveInt.default(d.max_message_bytes)
      ).describe("max.message.bytes of the topic when tracewatch creates it; default: the broker's."),
    })
    .prefault({})
    .describe(`${what} (cleanup.policy=compact).`);

export const topicsSchema = z
  .strictObject({
    alerts: topicName.default(tp.alerts).describe("Alerts out (key = alert id)."),
    features: topicName
      .default(tp.features)
      .describe("Per-trace features out (training input of `retrain`)."),
    models: topicName.default(tp.models).describe("Model artifacts (compacted); every instance follows it."),
    dlq: topicName.default(tp.dlq).describe("Dead letters: undecodable messages and undeliverable alerts."),
    incidents: topicName
      .default(tp.incidents)
      .describe("Incidents (compacted, latest state per incident id). Reserved: nothing writes it yet."),
    sampled: topicName
      .default(tp.sampled)
      .describe("Kept traces, whole (tail sampling). Reserved: nothing writes it yet."),
    create: z
      .boolean()
      .default(tp.create)
      .describe(
        "serve, retrain and `tracewatch topics --create` create the topics tracewatch writes when missing; false: serve fails at start-up naming each missing topic and the command that creates it. The span topic is the producer's: never created by serve.",
      ),
    replication_factor: z
      .number()
      .int()
      .min(-1)
      .max(32_767)
      .refine((n) => n !== 0, "must be -1 (broker default) or at least 1")
      .default(tp.replication_factor)
      .describe("Replication factor of created topics; -1: the broker's default.replication.factor."),
    settings: z
      .strictObject({
        alerts: deleteTopic(ts.alerts, "Alerts topic (also each kafka sink's own topic)."),
        features: deleteTopic(
          ts.features,
          "Features topic; keep its retention at least spec.training.window.",
        ),
        dlq: deleteTopic(ts.dlq, "Dead-letter topic."),
        models: compactTopic(ts.models, "Model topic"),
        incidents: compactTopic(ts.incidents, "Incidents topic"),
        sampled: deleteTopic(ts.sampled, "Sampled traces topic."),
      })
      .prefault({})
      .describe("How tracewatch creates each of its topics."),
  })
  .prefault({})
  .describe("Kafka output topics (used when the Kafka source is on) and how they are created.");

const s = DEFAULTS.sinks;
const sinkName = name.optional().describe("Unique sink name (labels metrics and logs); default: the type.");
const delivery = {
  timeout: duration("Per-attempt request timeout.", s.timeout),
  retries: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(s.retries)
    .describe("Retries after the first attempt, with backoff."),
  queue_size: positiveInt
    .default(s.queue_size)
    .describe("Alerts buffered for this sink; beyond it they are dead-lettered."),
  concurrency: positiveInt.max(1_000).optional().describe("Deliveries in flight at once; default 4."),
  backoff_initial: durationString("First retry backoff cap; default 500ms.").optional(),
  backoff_max: durationString("Largest retry backoff; default 30s.").optional(),
  max_delivery_time: durationString(
    "An alert not delivered this long after it was queued is dead-lettered; default 10m.",
  ).optional(),
  breaker_failures: positiveInt
    .optional()
    .describe("Consecutive failures that open the circuit breaker; default 5."),
  breaker_open: durationString("How long an open circuit waits before a probe; default 30s.").optional(),
  shutdown_grace: durationString("How long shutdown waits for this sink's backlog; default 5s.").optional(),
};

const httpAuth = z
  .discriminatedUnion("type", [
    z
      .strictObject({
        type: z.literal("basic").describe("HTTP basic authentication."),
        username: name.refine((u) => !u.includes(":"), 'must not contain ":"').describe("User name."),
        password: z.string().min(1).describe("Password (secret; use ${VAR})."),
      })
      .describe("Basic authentication."),
    z
      .strictObject({
        type: z.literal("bearer").describe("Bearer token authentication."),
        token: z.string().min(1).describe("Token (secret; use ${VAR})."),
      })
      .describe("Bearer token."),
  ])
  .optional()
  .describe("Credentials sent in the authorization header; never put them in the URL.");

const logSink = z
  .strictObject({
    type: z.literal("log").describe("Sink type."),
    name: sinkName,
    level: z.enum(["info", "warn", "error"]).default(s.log_level).describe("Log level of alert lines."),
  })
  .describe("Writes each alert as one log line.");
const kafkaSink = z
  .strictObject({
    type: z.literal("kafka").describe("Sink type."),
    name: sinkName,
    topic: topicName.optional().describe("Topic; default: spec.topics.alerts."),
  })
  .describe("Publishes alerts to a Kafka topic (needs Kafka brokers).");
const webhookSink = z
  .strictObject({
    type: z.literal("webhook").describe("Sink type."),
    name: sinkName,
    url: sinkUrl.describe("Endpoint receiving POSTed alert JSON (no user:password@; see auth)."),
    secret: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Standard Webhooks signing secret: whsec_ and the base64 of 24 to 64 random bytes (secret; use ${VAR}).",
      ),
    headers: z.record(z.string(), z.string()).optional().describe("Extra request headers."),
    auth: httpAuth,
    ...delivery,
  })
  .describe("POSTs each alert as signed JSON.");
const alertmanagerSink = z
  .strictObject({
    type: z.literal("alertmanager").describe("Sink type."),
    name: sinkName,
    url: sinkUrl.describe("Alertmanager base URL; alerts are POSTed to its /api/v2/alerts."),
    auth: httpAuth,
    generator_url: httpUrl.optional().describe("Link put in each alert's generatorURL."),
    resolve_after: durationString("endsAt = detection time plus this; default 5m.").optional(),
    labels: z.record(z.string(), z.string()).optional().describe("Extra labels on every alert."),
    ...delivery,
  })
  .describe("Sends alerts to Prometheus Alertmanager.");

export const sinkSchema = z.discriminatedUnion("type", [logSink, kafkaSink, webhookSink, alertmanagerSink]);
export const sinksSchema = z
  .array(sinkSchema)
  .optional()
  .describe("Alert sinks; default: a log sink, plus a kafka sink when the Kafka source is on.");

export const redactionSchema = z
  .array(
    z
      .strictObject({
        action: z
          .enum(["hash", "delete"])
          .describe("hash: replace with SHA-256 hex; delete: drop the attribute."),
        key: name.describe("Span attribute key, e.g. user.email."),
      })
      .describe("One redaction action."),
  )
  .default([])
  .describe("Attribute redaction applied to spans before anything is stored or emitted.");

export const deadLettersSchema = z
  .strictObject({
    undecodable: z
      .enum(["keep", "metadata"])
      .optional()
      .describe(
        "A dead-lettered message that cannot be parsed at all, so cannot be redacted: keep its bytes, or metadata only (no value; size, SHA-256 and error headers); default metadata when spec.redaction is set, else keep.",
      ),
  })
  .prefault({})
  .describe("Span dead letters (spec.topics.dlq): the parts that can be parsed are always redacted.");

const al = DEFAULTS.alerting;
export const alertingSchema = z
  .strictObject({
    cooldown: duration("Default dedup window of alert rules without their own cooldown.", al.cooldown),
    recent_alerts: positiveInt
      .default(al.recent_alerts)
      .describe("Alerts kept in memory for GET /api/v1/alerts."),
  })
  .prefault({})
  .describe("Alert emission settings.");

const inc = DEFAULTS.incidents;
export const incidentsSchema = z
  .strictObject({
    group_window: duration(
      "An alert joins the open incident of its type and service when it comes at most this long after that incident's last alert.",
      inc.group_window,
    ),
    quiet_period: duration("An incident resolves this long after its last alert.", inc.quiet_period),
    notify: z
      .enum(["incident", "trace"])
      .default(inc.notify as "incident")
      .describe(
        "incident: webhook and alertmanager sinks get incident events (opened, significant change, resolved); trace: they get every per-trace alert. Kafka and log sinks always get every alert.",
      ),
    resend_interval: duration(
      "Open incidents are posted to Alertmanager again this often (below the sink's resolve_after and Alertmanager's resolve_timeout).",
      inc.resend_interval,
    ),
    max_resolved: positiveInt
      .default(inc.max_resolved)
      .describe("Resolved incidents remembered for GET /api/v1/incidents."),
  })
  .prefault({})
  .describe(
    "Incidents: alerts of one type about one service, close in time. State on spec.topics.incidents with Kafka, else in incidents.json in the model store directory.",
  );

const ms = DEFAULTS.model_store;
export const modelStoreSchema = z
  .strictObject({
    dir: name.default(ms.dir).describe("Directory of saved model artifacts (env TRACEWATCH_MODEL_DIR)."),
    keep: positiveInt.default(ms.keep).describe("Model versions kept on disk."),
  })
  .prefault({})
  .describe("Where models are saved.");

const ap = DEFAULTS.api;
export const apiSchema = z
  .strictObject({
    enabled: z.boolean().default(ap.enabled).describe("Serve the HTTP API."),
    host: name
      .default(ap.host)
      .describe("Listen address (env TRACEWATCH_API_HOST); beyond loopback needs a token."),
    port: port.default(ap.port).describe("Listen port (env TRACEWATCH_API_PORT)."),
    token: z
      .string()
      .min(16, "must be at least 16 characters")
      .optional()
      .describe(
        "Bearer token required on /api/v1/* when set; needed beyond loopback (secret; env TRACEWATCH_API_TOKEN).",
      ),
    ...connectionLimitsShape(),
  })
  .superRefine(checkConnectionLimits)
  .prefault({})
  .describe("HTTP API (/healthz, /readyz, /metrics, /api/v1).");

const mt = DEFAULTS.metrics;
export const metricsSchema = z
  .strictObject({
    max_label_sets: positiveInt
      .default(mt.max_label_sets)
      .describe(
        "Distinct label sets per trace-derived metric family; further ones are recorded under the label value __overflow__.",
      ),
    span_metrics: z
      .boolean()
      .default(mt.span_metrics)
      .describe("Export traces_spanmetrics_* from completed traces."),
    service_graph: z
      .boolean()
      .default(mt.service_graph)
      .describe("Export traces_service_graph_* from completed traces."),
  })
  .prefault({})
  .describe("Prometheus metrics.");

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export const loggingSchema = z
  .strictObject({
    level: z
      .enum(LOG_LEVELS)
      .default(DEFAULTS.logging.level)
      .describe("Log level (env TRACEWATCH_LOG_LEVEL)."),
  })
  .prefault({})
  .describe("Logging.");
