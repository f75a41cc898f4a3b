import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { TracewatchError } from "../../../src/errors.js";
import { loadConfig } from "../../../src/config/load.js";
import type { Env } from "../../../src/config/env.js";
import { otlpGrpcReceiverOptions } from "../../../src/http/from-config.js";
import { createMetrics } from "../../../src/metrics/pipeline.js";

const load = (text: string, env: Env = {}) => loadConfig({ text, origin: "test.yaml" }, env);
const KAFKA = { KAFKA_BROKERS: "127.0.0.1:9092" };

function problems(text: string, env: Env = {}): string[] {
  try {
    load(text, env);
  } catch (err) {
    expect(err).toBeInstanceOf(TracewatchError);
    return (err as TracewatchError).details?.problems as string[];
  }
  throw new Error("config loaded but should not have");
}

describe("spec.sources.otlp_grpc", () => {
  it("listens on 127.0.0.1:4317 by default, with the HTTP receiver's timeouts and connection cap", () => {
    expect(load("").spec.sources.otlp_grpc).toEqual({
      enabled: true,
      host: "127.0.0.1",
      port: 4317,
      max_message_bytes: 4 * 1024 * 1024,
      request_timeout: 30_000,
      keep_alive_timeout: 60_000,
      max_connections: 1024,
    });
  });

  it.each([
    ["Kafka off", "", {}, true],
    ["Kafka on", "", KAFKA, false],
    [
      "Kafka on, OTLP/HTTP turned on beside it",
      "spec:\n  sources: { otlp_http: { enabled: true } }\n",
      KAFKA,
      true,
    ],
    [
      "OTLP/HTTP turned off",
      "spec:\n  sources: { otlp_http: { enabled: false }, otlp_grpc: { enabled: true } }\n",
      {},
      true,
    ],
    ["Kafka off, gRPC turned off", "spec:\n  sources: { otlp_grpc: { enabled: false } }\n", {}, false],
    ["Kafka on, gRPC turned on", "spec:\n  sources: { otlp_grpc: { enabled: true } }\n", KAFKA, true],
  ] as const)("is on beside OTLP/HTTP unless set (%s)", (_what, text, env, enabled) => {
    expect(load(text, env).spec.sources.otlp_grpc.enabled).toBe(enabled);
  });

  it("takes its host and port from TRACEWATCH_OTLP_GRPC_HOST and TRACEWATCH_OTLP_GRPC_PORT", () => {
    const g = load("", { TRACEWATCH_OTLP_GRPC_HOST: "0.0.0.0", TRACEWATCH_OTLP_GRPC_PORT: "0" }).spec.sources
      .otlp_grpc;
    expect([g.host, g.port]).toEqual(["0.0.0.0", 0]);
  });

  it.each([
    [
      "the OTLP/HTTP port",
      "spec:\n  sources: { otlp_grpc: { port: 4318 } }\n",
      "spec.sources.otlp_grpc.port: same port as spec.sources.otlp_http.port (4318)",
    ],
    [
      "the API port",
      "spec:\n  api: { port: 4317 }\n",
      "spec.api.port: same port as spec.sources.otlp_grpc.port (4317)",
    ],
    [
      "a request timeout out of range",
      "spec:\n  sources: { otlp_grpc: { request_timeout: 1h } }\n",
      "spec.sources.otlp_grpc.request_timeout: out of range",
    ],
  ])("refuses %s", (_what, text, expected) => {
    const found = problems(text);
    expect(
      found.some((p) => p.startsWith(expected)),
      found.join("\n"),
    ).toBe(true);
  });

  it("lets a turned-off receiver's port be reused", () => {
    expect(() => load("spec:\n  sources: { otlp_grpc: { enabled: false, port: 4318 } }\n")).not.toThrow();
  });

  it("still finds a span source when only the gRPC receiver is on", () => {
    const c = load("spec:\n  sources: { otlp_http: { enabled: false }, otlp_grpc: { enabled: true } }\n");
    expect([c.spec.sources.otlp_http.enabled, c.spec.sources.otlp_grpc.enabled]).toEqual([false, true]);
    expect(problems("spec:\n  sources: { otlp_http: { enabled: false } }\n")).toContainEqual(
      expect.stringContaining("spec.sources: no span source"),
    );
  });

  it("maps to the receiver's options and counts answers by gRPC status name", async () => {
    const metrics = createMetrics(new Registry());
    const config = load(
      "spec:\n  sources: { otlp_grpc: { port: 14317, max_message_bytes: 1000, request_timeout: 45s, keep_alive_timeout: 2m, max_connections: 64 } }\n",
    );
    const options = otlpGrpcReceiverOptions(config, {
      ingest: () => ({ accepted: 0, rejected: 0 }),
      metrics,
    });
    expect(options).toMatchObject({
      host: "127.0.0.1",
      port: 14317,
      maxMessageBytes: 1000,
      limits: { requestTimeoutMs: 45_000, keepAliveTimeoutMs: 120_000, maxConnections: 64 },
    });
    options.onResponse?.(14);
    options.onResponse?.(0);
    const values = (await metrics.otlpGrpcRequests.get()).values.map((v) => [v.labels.code, v.value]);
    expect(values.sort()).toEqual([
      ["OK", 1],
      ["UNAVAILABLE", 1],
    ]);
  });
});
