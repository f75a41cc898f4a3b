import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { Registry } from "prom-client";
import type { Logger } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { TraceAssembler } from "../../../src/core/assembler/assembler.js";
import { ManualClock } from "../../../src/core/clock.js";
import { createIngestMetrics } from "../../../src/kafka/metrics.js";
import { createMetrics } from "../../../src/metrics/pipeline.js";
import { TRACE_EXPORT_PATH } from "../../../src/http/otlp-grpc-receiver.js";
import { otlpGrpcSpanReceiver, otlpSpanReceiver } from "../../../src/service/sources.js";

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined } as unknown as Logger;
const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

function span(traceId: string, spanId: string) {
  return {
    traceId,
    spanId,
    name: "GET /",
    kind: 2,
    startTimeUnixNano: "1700000000000000000",
    endTimeUnixNano: "1700000000001000000",
  };
}

function exportRequest(spans: object[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "shop" } }] },
        scopeSpans: [{ spans }],
      },
    ],
  });
}

async function start() {
  const config = loadConfig({ text: "metadata:\n  name: shop\n" }, {});
  const registry = new Registry();
  const metrics = createMetrics(registry);
  const ingest = createIngestMetrics(registry, metrics);
  const assembler = new TraceAssembler({ clock: new ManualClock(0), processor: { process: async () => {} } });
  const receiver = otlpSpanReceiver(
    {
      ...config,
      spec: {
        ...config.spec,
        sources: { ...config.spec.sources, otlp_http: { ...config.spec.sources.otlp_http, port: 0 } },
      },
    },
    { assembler, metrics, rejected: ingest.source.rejected, logger: silent },
  );
  running.push(receiver);
  const post = (body: string) =>
    receiver.app.inject({
      method: "POST",
      url: "/v1/traces",
      payload: body,
      headers: { "content-type": "application/json" },
    });
  const counted = async (name: string) =>
    (await registry.getSingleMetric(name)?.get())?.values.map((v) => [v.labels, v.value]) ?? [];
  return { post, counted };
}

describe("OTLP/HTTP span receiver of serve", () => {
  it("counts refused spans by reason, as the Kafka source does, and accepts the valid ones", async () => {
    const { post, counted } = await start();
    const res = await post(
      exportRequest([span("a".repeat(32), "b".repeat(16)), span("not-hex", "c".repeat(16))]),
    );
    expect(res.statusCode).toBe(200);
    expect(await counted("tracewatch_spans_rejected_total")).toEqual([[{ reason: "invalid" }, 1]]);
    expect(await counted("tracewatch_spans_received_total")).toEqual([[{ encoding: "otlp_json" }, 1]]);
  });

  it("counts an undecodable request and not an empty export request", async () => {
    const { post, counted } = await start();
    expect((await post('{"resourceSpans":[]}')).statusCode).toBe(200);
    expect(await counted("tracewatch_spans_rejected_total")).toEqual([]);
    expect((await post("{not json")).statusCode).toBe(400);
    expect(await counted("tracewatch_spans_rejected_total")).toEqual([[{ reason: "decode" }, 1]]);
  });
});

describe("OTLP/gRPC span receiver of serve", () => {
  async function startGrpc(maxTraces?: number) {
    const config = loadConfig({ text: "metadata:\n  name: shop\n" }, { TRACEWATCH_OTLP_GRPC_PORT: "0" });
    const registry = new Registry();
    const metrics = createMetrics(registry);
    const ingest = createIngestMetrics(registry, metrics);
    const assembler = new TraceAssembler({
      clock: new ManualClock(0),
      processor: { process: async () => {} },
      ...(maxTraces === undefined ? {} : { maxTraces }),
    });
    const receiver = otlpGrpcSpanReceiver(config, {
      assembler,
      metrics,
      rejected: ingest.source.rejected,
      logger: silent,
    });
    running.push(receiver);
    const { port } = await receiver.listen();
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    running.push({ close: async () => client.close() });
    const call = (body: Buffer) =>
      new Promise<grpc.ServiceError | null>((resolve) =>
        client.makeUnaryRequest(
          TRACE_EXPORT_PATH,
          (b: Buffer) => b,
          (b: Buffer) => b,
          body,
          (err) => resolve(err),
        ),
      );
    const counted = async (name: string) =>
      (await registry.getSingleMetric(name)?.get())?.values.map((v) => [v.labels, v.value]) ?? [];
    return { call, counted, assembler };
  }

  it("decodes an SDK's request through the same ingest as OTLP/HTTP: counted and assembled", async () => {
    const { call, counted, assembler } = await startGrpc();
    const request = readFileSync(new URL("../../fixtures/otlp/sdk-frontend-trace.pb", import.meta.url));
    expect(await call(request)).toBeNull();
    expect(await counted("tracewatch_spans_received_total")).toEqual([[{ encoding: "otlp_proto" }, 4]]);
    expect(assembler.stats().openTraces).toBe(1);
    expect(await counted("tracewatch_otlp_grpc_requests_total")).toEqual([[{ code: "OK" }, 1]]);
  });

  it("answers INVALID_ARGUMENT for bytes that are not an export request, counted as a decode rejection", async () => {
    const { call, counted } = await startGrpc();
    expect((await call(Buffer.from([0x0a, 0x05, 0x01])))?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await counted("tracewatch_spans_rejected_total")).toEqual([[{ reason: "decode" }, 1]]);
  });

  it("answers UNAVAILABLE with RetryInfo while the assembler applies back-pressure, taking nothing", async () => {
    const { call, counted, assembler } = await startGrpc(1);
    const request = readFileSync(new URL("../../fixtures/otlp/sdk-frontend-trace.pb", import.meta.url));
    expect(await call(request)).toBeNull();
    expect(assembler.isOverHighWater()).toBe(true);
    const err = await call(request);
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
    expect(err?.metadata.get("grpc-status-details-bin")).toHaveLength(1);
    expect(await counted("tracewatch_spans_received_total")).toEqual([[{ encoding: "otlp_proto" }, 4]]);
  });
});
