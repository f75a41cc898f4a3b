import { Registry } from "prom-client";
import type { Logger } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { TraceAssembler } from "../../../src/core/assembler/assembler.js";
import { ManualClock } from "../../../src/core/clock.js";
import { createIngestMetrics } from "../../../src/kafka/metrics.js";
import { createMetrics } from "../../../src/metrics/pipeline.js";
import { otlpSpanReceiver } from "../../../src/service/sources.js";

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
