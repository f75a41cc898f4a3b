import { z } from "zod";
import { DEFAULTS } from "./defaults.js";
import { duration, name, port, positiveInt } from "./primitives.js";
import {
  checkConnectionLimits,
  connectionLimitsShape,
  keepAliveTimeout,
  maxConnections,
  requestTimeout,
} from "./schema-http.js";

/** Kafka topic names: the broker's legal characters and length. */
export const topicName = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,249}$/, "must be 1-249 characters of a-z, A-Z, 0-9, '.', '_' or '-'");

export const SPAN_ENCODINGS = ["auto", "otlp_proto", "otlp_json", "json"] as const;
export const SASL_MECHANISMS = ["plain", "scram-sha-256", "scram-sha-512"] as const;

const saslSchema = z
  .strictObject({
    mechanism: z
      .string()
      .toLowerCase()
      .pipe(z.enum(SASL_MECHANISMS))
      .describe("SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (any case)."),
    username: name.describe("SASL user name."),
    password: z.string().min(1, "must not be empty").describe("SASL password (secret; use ${VAR})."),
  })
  .describe("SASL authentication; absent means none.");

const tlsSchema = z
  .strictObject({
    enabled: z.boolean().default(DEFAULTS.tls.enabled).describe("Use TLS to the brokers."),
    ca_file: z
      .string()
      .min(1)
      .optional()
      .describe("PEM file of the CA that signed the brokers' certificates."),
    cert_file: z.string().min(1).optional().describe("PEM client certificate (mutual TLS); needs key_file."),
    key_file: z.string().min(1).optional().describe("PEM client private key (mutual TLS); needs cert_file."),
    reject_unauthorized: z
      .boolean()
      .default(DEFAULTS.tls.reject_unauthorized)
      .describe("Refuse brokers whose certificate does not verify."),
    servername: z.string().min(1).optional().describe("TLS server name (SNI) when it differs from the host."),
  })
  .describe("TLS to the brokers; absent means plaintext.");

const k = DEFAULTS.sources.kafka;
export const kafkaSourceSchema = z
  .strictObject({
    brokers: z
      .array(z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, "must be host:port"))
      .default([...k.brokers])
      .describe(
        "host:port of the bootstrap brokers; a non-empty list turns the Kafka source on (env KAFKA_BROKERS).",
      ),
    topic: topicName.default(k.topic).describe("Span topic consumed."),
    group_id: name
      .default(k.group_id)
      .describe("Consumer group; instances of one group share the partitions."),
    client_id: name.default(k.client_id).describe("Kafka client id."),
    encoding: z
      .enum(SPAN_ENCODINGS)
      .default(k.encoding)
      .describe("Span message encoding; auto detects OTLP protobuf, OTLP JSON and native JSON per message."),
    max_message_bytes: positiveInt
      .default(k.max_message_bytes)
      .describe("Messages larger than this go to the DLQ."),
    session_timeout: duration(
      "An instance that sends no heartbeat for this long leaves the consumer group and its partitions move " +
        "to the other instances: shorter fails over faster, but long GC pauses or network stalls then cause " +
        "rebalances. Brokers accept only group.min.session.timeout.ms to group.max.session.timeout.ms " +
        "(6s to 30m by default). Allowed 1s to 30m.",
      k.session_timeout,
      { min: "1s", max: "30m" },
    ),
    heartbeat_interval: duration(
      "How often the consumer tells the group coordinator it is alive; must be shorter than " +
        "session_timeout (a third of it or less leaves room for a lost heartbeat). Allowed 100ms to 10m.",
      k.heartbeat_interval,
      { min: "100ms", max: "10m" },
    ),
    rebalance_timeout: duration(
      "How long the group coordinator waits for every instance to rejoin during a rebalance; one that has " +
        "not rejoined by then is removed from the group. Allowed 1s to 30m.",
      k.rebalance_timeout,
      { min: "1s", max: "30m" },
    ),
    sasl: saslSchema.optional(),
    tls: tlsSchema.optional(),
  })
  .prefault({})
  .describe("Kafka span source and the Kafka connection used for the output topics.");

const o = DEFAULTS.sources.otlp_http;
export const otlpHttpSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .optional()
      .describe(
        "Run the OTLP/HTTP receiver; default: on when the Kafka source is off, off when it is on (env TRACEWATCH_OTLP_ENABLED).",
      ),
    host: name.default(o.host).describe("Listen address of the receiver (env TRACEWATCH_OTLP_HOST)."),
    port: port.default(o.port).describe("Listen port (env TRACEWATCH_OTLP_PORT)."),
    max_body_bytes: positiveInt
      .default(o.max_body_bytes)
      .describe("Largest request body, after decompression; larger requests get 413."),
    ...connectionLimitsShape(),
  })
  .superRefine(checkConnectionLimits)
  .prefault({})
  .describe("OTLP/HTTP receiver (POST /v1/traces).");

const g = DEFAULTS.sources.otlp_grpc;
export const otlpGrpcSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .optional()
      .describe(
        "Run the OTLP/gRPC receiver; default: as spec.sources.otlp_http.enabled (env TRACEWATCH_OTLP_GRPC_ENABLED).",
      ),
    host: name.default(g.host).describe("Listen address of the receiver (env TRACEWATCH_OTLP_GRPC_HOST)."),
    port: port.default(g.port).describe("Listen port (env TRACEWATCH_OTLP_GRPC_PORT)."),
    max_message_bytes: positiveInt
      .default(g.max_message_bytes)
      .describe("Largest request message, after decompression; larger calls get RESOURCE_EXHAUSTED."),
    request_timeout: requestTimeout(
      "Longest time from a call's headers to its whole request message; then DEADLINE_EXCEEDED. " +
        "Also how long calls in flight may finish when the receiver stops. Allowed 1s to 10m.",
    ),
    keep_alive_timeout: keepAliveTimeout(
      "A connection without calls for this long is closed (GOAWAY; exporters reconnect). Allowed 1s to 10m.",
    ),
    max_connections: maxConnections(),
  })
  .prefault({})
  .describe(
    "OTLP/gRPC receiver (TraceService/Export, gzip or identity). No headers timeout: grpc-js offers no hook before a call's headers.",
  );

export const sourcesSchema = z
  .strictObject({ kafka: kafkaSourceSchema, otlp_http: otlpHttpSchema, otlp_grpc: otlpGrpcSchema })
  .prefault({})
  .describe("Where spans come from.");
