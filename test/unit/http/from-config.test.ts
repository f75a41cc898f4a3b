import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { apiServerOptions, otlpReceiverOptions } from "../../../src/http/from-config.js";
import type { ApiProviders } from "../../../src/http/api-types.js";
import { createMetrics } from "../../../src/metrics/pipeline.js";
import { metricsOptions } from "../../../src/metrics/from-config.js";

const config = loadConfig(
  {
    text: "spec:\n  sources: { otlp_http: { port: 14318, max_body_bytes: 1000, request_timeout: 45s } }\n  api: { port: 18080, max_connections: 64 }\n  metrics: { max_label_sets: 7, service_graph: false }\n",
  },
  { TRACEWATCH_API_TOKEN: "t".repeat(16) },
);

describe("options from the config", () => {
  it("maps spec.sources.otlp_http and counts answers by code", async () => {
    const metrics = createMetrics(new Registry());
    const options = otlpReceiverOptions(config, { ingest: () => ({ accepted: 0, rejected: 0 }), metrics });
    expect(options).toMatchObject({
      host: "127.0.0.1",
      port: 14318,
      maxBodyBytes: 1000,
      limits: {
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 45_000,
        keepAliveTimeoutMs: 60_000,
        maxConnections: 1024,
      },
    });
    options.onResponse?.(413);
    await expect(metrics.otlpRequests.get()).resolves.toMatchObject({
      values: [{ labels: { code: "413" }, value: 1 }],
    });
  });

  it("maps spec.api with the token from the environment", () => {
    const options = apiServerOptions(config, { registry: new Registry(), providers: {} as ApiProviders });
    expect(options).toMatchObject({
      host: "127.0.0.1",
      port: 18080,
      token: "t".repeat(16),
      limits: {
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        keepAliveTimeoutMs: 60_000,
        maxConnections: 64,
      },
    });
  });

  it("maps spec.metrics", () => {
    expect(metricsOptions(config)).toEqual({ maxLabelSets: 7, spanMetrics: true, serviceGraph: false });
  });
});
