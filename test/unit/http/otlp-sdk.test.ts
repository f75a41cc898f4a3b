import { SpanKind, SpanStatusCode, context, trace } from "@opentelemetry/api";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { decodeSpans } from "../../../src/decode/index.js";
import type { Span } from "../../../src/domain/span.js";
import { summarizeDecode } from "../../../src/http/otlp-ingest.js";
import { createOtlpReceiver, type OtlpReceiver } from "../../../src/http/otlp-receiver.js";

let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
});

/** A receiver whose ingest is the real decoder; returns the spans it accepted. */
async function startReceiver(): Promise<{ url: string; spans: Span[]; requests: string[] }> {
  const spans: Span[] = [];
  const requests: string[] = [];
  receiver = createOtlpReceiver({
    port: 0,
    ingest: (body, encoding) => {
      const decoded = decodeSpans(body, { encoding, attributes: { mode: "all" } });
      spans.push(...decoded.spans);
      return summarizeDecode(decoded);
    },
  });
  receiver.app.addHook("onRequest", async (request) => {
    requests.push(`${request.headers["content-type"]} ${request.headers["content-encoding"] ?? "identity"}`);
  });
  const { url } = await receiver.listen();
  return { url: `${url}/v1/traces`, spans, requests };
}

/** Sends one trace (server root → client child erroring) with the SDK and the given exporter. */
async function sendTrace(exporter: SpanExporter): Promise<void> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "checkout" }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("tracewatch-test");
  const root = tracer.startSpan("GET /checkout", { kind: SpanKind.SERVER });
  const child = tracer.startSpan(
    "charge card",
    { kind: SpanKind.CLIENT },
    trace.setSpan(context.active(), root),
  );
  child.setStatus({ code: SpanStatusCode.ERROR, message: "declined" });
  child.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
}

describe("the OpenTelemetry SDK OTLP/HTTP exporters", () => {
  it.each([
    ["protobuf", (url: string) => new ProtoExporter({ url }), "application/x-protobuf identity"],
    ["JSON", (url: string) => new JsonExporter({ url }), "application/json identity"],
    [
      "gzip protobuf",
      (url: string) => new ProtoExporter({ url, compression: "gzip" as never }),
      "application/x-protobuf gzip",
    ],
  ])("deliver a trace to the receiver over %s", async (_what, makeExporter, wire) => {
    const { url, spans, requests } = await startReceiver();
    const results: number[] = [];
    const exporter = makeExporter(url);
    const original = exporter.export.bind(exporter);
    exporter.export = (items, done) => original(items, (r) => (results.push(r.code), done(r)));
    await sendTrace(exporter);
    expect(results).toEqual([0, 0]);
    expect(new Set(requests)).toEqual(new Set([wire]));
    expect(spans.map((s) => [s.service, s.name, s.kind, s.status]).sort()).toEqual([
      ["checkout", "GET /checkout", "SERVER", "UNSET"],
      ["checkout", "charge card", "CLIENT", "ERROR"],
    ]);
    const [child, root] = [...spans].sort((a, b) => a.name.localeCompare(b.name));
    expect(child?.parentSpanId).toBe(root?.spanId);
    expect(child?.traceId).toBe(root?.traceId);
  });
});
