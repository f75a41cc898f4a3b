import { SpanKind, SpanStatusCode, context, trace } from "@opentelemetry/api";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { decodeSpans } from "../../../src/decode/index.js";

/** Records a small real trace with the OpenTelemetry SDK: a server root, a client child, an error grandchild. */
async function recordSdkSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "checkout", "deployment.environment": "test" }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("sdk-fixture");
  const root = tracer.startSpan("GET /checkout", {
    kind: SpanKind.SERVER,
    attributes: {
      "http.method": "GET",
      "http.status_code": 500,
      "big.count": 2 ** 40,
      ratio: 0.25,
      ok: false,
    },
    startTime: [1_767_225_600, 123_456_789],
  });
  const rootCtx = trace.setSpan(context.active(), root);
  const child = tracer.startSpan(
    "charge card",
    { kind: SpanKind.CLIENT, startTime: [1_767_225_600, 200_000_000] },
    rootCtx,
  );
  const grand = tracer.startSpan(
    "SELECT",
    { kind: SpanKind.INTERNAL, attributes: { tags: ["a", "b"] }, startTime: [1_767_225_600, 300_000_001] },
    trace.setSpan(rootCtx, child),
  );
  grand.setStatus({ code: SpanStatusCode.ERROR, message: "deadlock" });
  grand.end([1_767_225_600, 400_000_003]);
  child.end([1_767_225_600, 500_000_000]);
  root.end([1_767_225_601, 7]);
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

describe("spans serialized by the OpenTelemetry SDK", () => {
  it.each([
    [
      "otlp_proto",
      (s: Parameters<typeof ProtobufTraceSerializer.serializeRequest>[0]) =>
        ProtobufTraceSerializer.serializeRequest(s),
    ],
    [
      "otlp_json",
      (s: Parameters<typeof JsonTraceSerializer.serializeRequest>[0]) =>
        JsonTraceSerializer.serializeRequest(s),
    ],
  ] as const)("decodes the SDK's %s bytes exactly", async (encoding, serialize) => {
    const sdkSpans = await recordSdkSpans();
    const bytes = serialize(sdkSpans);
    expect(bytes).toBeDefined();
    const result = decodeSpans(bytes!, { attributes: { mode: "all" } });
    expect(result.encoding).toBe(encoding);
    expect(result.rejected).toEqual([]);
    expect(result.spans).toHaveLength(3);
    const byName = new Map(result.spans.map((s) => [s.name, s]));
    const root = byName.get("GET /checkout")!;
    const child = byName.get("charge card")!;
    const grand = byName.get("SELECT")!;
    const sdkRoot = sdkSpans.find((s) => s.name === "GET /checkout")!;
    expect(root.traceId).toBe(sdkRoot.spanContext().traceId);
    expect(root.spanId).toBe(sdkRoot.spanContext().spanId);
    expect(root.parentSpanId).toBeNull();
    expect(child.parentSpanId).toBe(root.spanId);
    expect(grand.parentSpanId).toBe(child.spanId);
    expect(root.service).toBe("checkout");
    expect(root.kind).toBe("SERVER");
    expect(child.kind).toBe("CLIENT");
    expect(grand.status).toBe("ERROR");
    expect(root.startTimeUnixNano).toBe(1_767_225_600_123_456_789n);
    expect(root.endTimeUnixNano).toBe(1_767_225_601_000_000_007n);
    expect(grand.endTimeUnixNano).toBe(1_767_225_600_400_000_003n);
    expect(root.attributes).toEqual({
      "http.method": "GET",
      "http.status_code": 500,
      "big.count": 2 ** 40,
      ratio: 0.25,
      ok: false,
    });
    expect(grand.attributes).toEqual({ tags: ["a", "b"] });
  });
});
