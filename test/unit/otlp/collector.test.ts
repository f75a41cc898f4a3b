import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { TraceAssembler } from "../../../src/core/assembler/assembler.js";
import { ManualClock } from "../../../src/core/clock.js";
import { decodeSpans } from "../../../src/decode/index.js";
import type { Span } from "../../../src/domain/span.js";
import { createIngestMetrics } from "../../../src/kafka/metrics.js";
import { createMetrics } from "../../../src/metrics/pipeline.js";
import { otlpSpanReceiver } from "../../../src/service/sources.js";

const bytes = readFileSync(
  join(import.meta.dirname, "../../fixtures/otlp/otelcol-kafka-otlp_proto-message.bin"),
);

// The Collector writes every message's fields in reverse order: scope_spans before resource,
// value before key. See test/fixtures/otlp/README.md.
describe("a message written by the OpenTelemetry Collector's kafka exporter", () => {
  it("decodes with its resource's service name and its spans' attributes", () => {
    const result = decodeSpans(bytes, { attributes: { mode: "all" } });
    expect(result.encoding).toBe("otlp_proto");
    expect(result.rejected).toEqual([]);
    expect(result.spans).toEqual([
      {
        traceId: "ccf139f37da10a78a04dbc22f305a65d",
        spanId: "99cc86cd44802bbc",
        parentSpanId: "fc2657ab03500b72",
        service: "inventory",
        name: "UPDATE db",
        kind: "CLIENT",
        startTimeUnixNano: 1796401951089923584n,
        endTimeUnixNano: 1796401951095510254n,
        status: "UNSET",
        attributes: { "server.address": "db", "peer.service": "db" },
      },
      {
        traceId: "ccf139f37da10a78a04dbc22f305a65d",
        spanId: "fc2657ab03500b72",
        parentSpanId: "6ffdfed746262a0a",
        service: "inventory",
        name: "POST /reserve",
        kind: "SERVER",
        startTimeUnixNano: 1796401951084978027n,
        endTimeUnixNano: 1796401951096568604n,
        status: "UNSET",
        attributes: {
          "http.route": "/reserve",
          "http.request.method": "POST",
          "http.response.status_code": 200,
        },
      },
    ]);
  });

  it("keeps the attributes configured by key on every span", () => {
    const spans = decodeSpans(bytes, { attributes: { mode: "none", keys: ["http.route"] } }).spans;
    expect(spans.map((s) => [s.service, s.attributes])).toEqual([
      ["inventory", {}],
      ["inventory", { "http.route": "/reserve" }],
    ]);
  });

  it.each(["auto", "otlp_proto"] as const)(
    "decodes the same with the Kafka source's encoding %s",
    (encoding) => {
      const spans = decodeSpans(bytes, { encoding }).spans;
      expect(spans.map((s) => [s.service, s.name])).toEqual([
        ["inventory", "UPDATE db"],
        ["inventory", "POST /reserve"],
      ]);
    },
  );

  it("reaches the assembler with its service name through the OTLP/HTTP receiver", async () => {
    const config = loadConfig({ text: "metadata:\n  name: shop\n" }, {});
    const registry = new Registry();
    const metrics = createMetrics(registry);
    const assembler = new TraceAssembler({
      clock: new ManualClock(0),
      processor: { process: async () => {} },
    });
    const added: Span[] = [];
    const add = assembler.add.bind(assembler);
    assembler.add = (spans, token) => {
      added.push(...spans);
      return add(spans, token);
    };
    const receiver = otlpSpanReceiver(config, {
      assembler,
      metrics,
      rejected: createIngestMetrics(registry, metrics).source.rejected,
      logger: silent,
    });
    running.push(receiver);
    const res = await receiver.app.inject({
      method: "POST",
      url: "/v1/traces",
      payload: bytes,
      headers: { "content-type": "application/x-protobuf" },
    });
    expect(res.statusCode).toBe(200);
    expect(added.map((s) => [s.service, s.name])).toEqual([
      ["inventory", "UPDATE db"],
      ["inventory", "POST /reserve"],
    ]);
  });
});

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined } as unknown as Logger;
const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});
