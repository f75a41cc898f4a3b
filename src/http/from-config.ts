import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Config } from "../config/schema.js";
import type { TracewatchMetrics } from "../metrics/pipeline.js";
import type { ApiServerOptions } from "./api.js";
import type { ApiProviders } from "./api-types.js";
import type { OtlpIngest, OtlpReceiverOptions } from "./otlp-receiver.js";

/** Receiver options from `spec.sources.otlp_http`, counting answers in `tracewatch_otlp_http_requests_total`. */
export function otlpReceiverOptions(
  config: Config,
  deps: { ingest: OtlpIngest; isOverloaded?: () => boolean; logger?: Logger; metrics?: TracewatchMetrics },
): OtlpReceiverOptions {
  const { host, port, max_body_bytes: maxBodyBytes } = config.spec.sources.otlp_http;
  const metrics = deps.metrics;
  return {
    host,
    port,
    maxBodyBytes,
    ingest: deps.ingest,
    ...(deps.isOverloaded === undefined ? {} : { isOverloaded: deps.isOverloaded }),
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    ...(metrics === undefined
      ? {}
      : { onResponse: (code: number) => metrics.otlpRequests.inc({ code: String(code) }) }),
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
    ...(token === undefined ? {} : { token }),
    registry: deps.registry,
    providers: deps.providers,
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    ...(deps.isShuttingDown === undefined ? {} : { isShuttingDown: deps.isShuttingDown }),
  };
}
