import { status as grpcStatus } from "@grpc/grpc-js";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Config } from "../config/schema.js";
import type { TracewatchMetrics } from "../metrics/pipeline.js";
import type { ApiServerOptions } from "./api.js";
import type { ApiProviders } from "./api-types.js";
import type { ConnectionLimits } from "./listen.js";
import type { OtlpGrpcReceiverOptions } from "./otlp-grpc-receiver.js";
import type { OtlpIngest, OtlpReceiverOptions } from "./otlp-receiver.js";

/** The limits on slow and idle clients of one server's section (`spec.sources.otlp_http`, `spec.api`). */
function connectionLimits(c: {
  headers_timeout: number;
  request_timeout: number;
  keep_alive_timeout: number;
  max_connections: number;
}): ConnectionLimits {
  return {
    headersTimeoutMs: c.headers_timeout,
    requestTimeoutMs: c.request_timeout,
    keepAliveTimeoutMs: c.keep_alive_timeout,
    maxConnections: c.max_connections,
  };
}

/** Receiver options from `spec.sources.otlp_http`, counting answers in `tracewatch_otlp_http_requests_total`. */
export function otlpReceiverOptions(
  config: Config,
  deps: { ingest: OtlpIngest; isOverloaded?: () => boolean; logger?: Logger; metrics?: TracewatchMetrics },
): OtlpReceiverOptions {
  const otlp = config.spec.sources.otlp_http;
  const { host, port, max_body_bytes: maxBodyBytes } = otlp;
  const metrics = deps.metrics;
  return {
    host,
    port,
    maxBodyBytes,
    limits: connectionLimits(otlp),
    ingest: deps.ingest,
    ...(deps.isOverloaded === undefined ? {} : { isOverloaded: deps.isOverloaded }),
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    ...(metrics === undefined
      ? {}
      : { onResponse: (code: number) => metrics.otlpRequests.inc({ code: String(code) }) }),
  };
}

/** Receiver options from `spec.sources.otlp_grpc`, counting answers in `tracewatch_otlp_grpc_requests_total`. */
export function otlpGrpcReceiverOptions(
  config: Config,
  deps: { ingest: OtlpIngest; isOverloaded?: () => boolean; logger?: Logger; metrics?: TracewatchMetrics },
): OtlpGrpcReceiverOptions {
  const g = config.spec.sources.otlp_grpc;
  const metrics = deps.metrics;
  return {
    host: g.host,
    port: g.port,
    maxMessageBytes: g.max_message_bytes,
    limits: {
      requestTimeoutMs: g.request_timeout,
      keepAliveTimeoutMs: g.keep_alive_timeout,
      maxConnections: g.max_connections,
    },
    ingest: deps.ingest,
    ...(deps.isOverloaded === undefined ? {} : { isOverloaded: deps.isOverloaded }),
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    ...(metrics === undefined
      ? {}
      : {
          onResponse: (code: grpcStatus) =>
            metrics.otlpGrpcRequests.inc({ code: grpcStatus[code] ?? String(code) }),
        }),
  };
}

/** API server options from `spec.api`. */
export function apiServerOptions(
  config: Config,
  deps: { registry: Registry; providers: ApiProviders; logger?: Logger; isShuttingDown?: () => boolean },
): ApiServerOptions {
  const { host, port, token } = config.spec.api;
  return {
    host,
    port,
    limits: connectionLimits(config.spec.api),
    ...(token === undefined ? {} : { token }),
    registry: deps.registry,
    providers: deps.providers,
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    ...(deps.isShuttingDown === undefined ? {} : { isShuttingDown: deps.isShuttingDown }),
  };
}
