import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULTS } from "../../../src/config/defaults.js";
import { SPAN_ENCODINGS } from "../../../src/config/schema-sources.js";

const file = fileURLToPath(new URL("../../../config/examples/otelcol.yaml", import.meta.url));

type Components = Record<string, Record<string, unknown> | null>;
interface CollectorConfig {
  receivers: Components;
  processors: Components;
  exporters: Components;
  service: { pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }> };
}

const config = parse(readFileSync(file, "utf8"), { uniqueKeys: true }) as CollectorConfig;
const kafka = config.exporters.kafka as {
  traces: { topic: string; encoding: string };
  partition_traces_by_id: boolean;
  producer: { compression: string };
};
const otlp = config.exporters.otlp as { endpoint: string; tls: { insecure: boolean } };

describe("config/examples/otelcol.yaml (the Collector in front of tracewatch)", () => {
  it("receives OTLP over gRPC and HTTP on the SDKs' default ports", () => {
    const protocols = (config.receivers.otlp as { protocols: Record<string, { endpoint: string }> })
      .protocols;
    expect(protocols.grpc?.endpoint).toBe("0.0.0.0:4317");
    expect(protocols.http?.endpoint).toBe("0.0.0.0:4318");
  });

  it("writes to tracewatch's default span topic in an encoding tracewatch reads, keyed by trace id", () => {
    expect(kafka.traces.topic).toBe(DEFAULTS.sources.kafka.topic);
    expect(kafka.traces.encoding).toBe("otlp_proto");
    expect(SPAN_ENCODINGS).toContain(kafka.traces.encoding);
    expect(kafka.partition_traces_by_id).toBe(true);
    // kafkajs decodes gzip batches natively and no other codec is registered.
    expect(["none", "gzip"]).toContain(kafka.producer.compression);
  });

  it("sends the Kafka-free variant to tracewatch's OTLP/gRPC port in plaintext", () => {
    expect(Number(otlp.endpoint.split(":").at(-1))).toBe(DEFAULTS.sources.otlp_grpc.port);
    expect(otlp.tls.insecure).toBe(true);
  });

  it("names only components it defines in its pipelines, and both variants are there", () => {
    const { pipelines } = config.service;
    expect(Object.keys(pipelines).sort()).toEqual(["traces/direct", "traces/kafka"]);
    for (const p of Object.values(pipelines)) {
      for (const r of p.receivers) expect(config.receivers).toHaveProperty([r]);
      for (const x of p.processors ?? []) expect(config.processors).toHaveProperty([x]);
      for (const e of p.exporters) expect(config.exporters).toHaveProperty([e]);
    }
    expect(pipelines["traces/kafka"]!.exporters).toEqual(["kafka"]);
    expect(pipelines["traces/direct"]!.exporters).toEqual(["otlp"]);
  });
});
