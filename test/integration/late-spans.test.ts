import { setTimeout as sleep } from "node:timers/promises";
import { SpanKind, context, trace, type Span as OtelSpan, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { ExportResult } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Service } from "../../src/service/service.js";
import { detectorConfig } from "../helpers/detector-config.js";
import { KafkaServe } from "./kafka-serve.js";

/**
 * Issue 11 point 2: four services, each with its own TracerProvider and a BatchSpanProcessor at
 * the SDK's defaults (scheduledDelayMillis 5000, maxExportBatchSize 512, maxQueueSize 2048), each
 * exporting OTLP protobuf over HTTP to `serve` on its own schedule. The services start 1.25 s
 * apart, so their export timers are out of phase: a trace's spans reach tracewatch up to ~5 s
 * apart. The assembly settings are tracewatch's defaults (the point of the test).
 */
const SERVICES = ["frontend", "orders", "inventory", "payments"] as const;
type Service4 = (typeof SERVICES)[number];
const STAGGER_MS = 1_600;
const TRAFFIC_MS = 22_000;
const TRACE_EVERY_MS = 50;
/** Spans per trace recorded below. */
const SPANS_PER_TRACE = 7;

interface FeatureRecord {
  traceId: string;
  span_count: number;
}

/** The SDK's OTLP exporter, noting when each trace's spans were acknowledged by tracewatch. */
class TimedExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly arrivals: Map<string, number[]>,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      const now = Date.now();
      for (const s of spans) {
        const id = s.spanContext().traceId;
        this.arrivals.set(id, [...(this.arrivals.get(id) ?? []), now]);
      }
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

class Services {
  readonly providers = new Map<Service4, BasicTracerProvider>();
  /** Per trace id, when each of its spans' exports was answered. */
  readonly arrivals = new Map<string, number[]>();

  start(service: Service4, url: string): void {
    const exporter = new TimedExporter(new OTLPTraceExporter({ url }), this.arrivals);
    this.providers.set(
      service,
      new BasicTracerProvider({
        resource: resourceFromAttributes({ "service.name": service }),
        spanProcessors: [new BatchSpanProcessor(exporter)],
      }),
    );
  }

  tracer(service: Service4): Tracer {
    return this.providers.get(service)!.getTracer("late-spans-test");
  }

  /** One span alone in its own trace, so the service's export timer starts now. */
  warmUp(service: Service4): string {
    const span = this.tracer(service).startSpan("warm-up", { kind: SpanKind.INTERNAL });
    span.end();
    return span.spanContext().traceId;
  }

  /**
   * frontend → orders → inventory and payments, a CLIENT span in the caller and a SERVER span in
   * the callee for each call: 7 spans (frontend 2, orders 3, inventory 1, payments 1), ended as a
   * real request ends them, children first.
   */
  record(): string {
    const now = Date.now();
    const t = (ms: number) => now - 40 + ms;
    const root = this.tracer("frontend").startSpan("GET /checkout", {
      kind: SpanKind.SERVER,
      startTime: t(0),
    });
    const call = (parent: OtelSpan, from: Service4, to: Service4, op: string, at: number, dur: number) => {
      const client = this.tracer(from).startSpan(
        `call ${to}`,
        { kind: SpanKind.CLIENT, startTime: t(at) },
        trace.setSpan(context.active(), parent),
      );
      const server = this.tracer(to).startSpan(
        op,
        { kind: SpanKind.SERVER, startTime: t(at + 1) },
        trace.setSpan(context.active(), client),
      );
      return { client, server, end: () => (server.end(t(at + dur - 1)), client.end(t(at + dur))) };
    };
    const orders = call(root, "frontend", "orders", "POST /orders", 2, 35);
    const stock = call(orders.server, "orders", "inventory", "GET /stock", 5, 12);
    const charge = call(orders.server, "orders", "payments", "POST /charge", 18, 12);
    stock.end();
    charge.end();
    orders.end();
    root.end(t(40));
    return root.spanContext().traceId;
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.providers.values()].map((p) => p.shutdown()));
  }
}

describe("late spans under the SDKs' default batching (four services, staggered export schedules)", () => {
  let serve: KafkaServe;
  let service: Service;
  const scored = new Map<string, number[]>();

  beforeAll(async () => {
    serve = await KafkaServe.create({ prefix: "late" });
    // No spec.assembly: the defaults are under test.
    const config = detectorConfig(
      `  api: { port: 0 }
${serve.kafkaSpec(["otlp_http: { enabled: true, port: 0 }", "otlp_grpc: { enabled: false }"])}`,
      "late",
    );
    service = await serve.start(config);
    await serve.consume(`${serve.topics.features}-reader`, [serve.topics.features!], async ({ message }) => {
      const f = JSON.parse(message.value!.toString()) as FeatureRecord;
      scored.set(f.traceId, [...(scored.get(f.traceId) ?? []), f.span_count]);
    });
  });

  afterAll(async () => {
    await serve?.stop();
  });

  it("scores every trace once with all its spans and counts at most 0.1% of spans late", async () => {
    const url = `${service.addresses.otlp!}/v1/traces`;
    const services = new Services();
    const warmUps: string[] = [];
    for (const [i, name] of SERVICES.entries()) {
      if (i > 0) await sleep(STAGGER_MS);
      services.start(name, url);
      warmUps.push(services.warmUp(name));
    }
    const produced: string[] = [];
    for (const end = Date.now() + TRAFFIC_MS; Date.now() < end; await sleep(TRACE_EVERY_MS)) {
      produced.push(services.record());
    }
    await services.shutdown();
    const spans = produced.length * SPANS_PER_TRACE + warmUps.length;

    const done = () => [...produced, ...warmUps].every((id) => scored.has(id));
    for (const deadline = Date.now() + 40_000; !done(); await sleep(250)) {
      if (Date.now() > deadline)
        throw new Error(`scored ${scored.size} of ${produced.length + warmUps.length} traces`);
    }
    const metrics = await (await fetch(`${service.addresses.api!}/metrics`)).text();
    // Late spans, merged into a re-opened trace or dropped.
    const late = [...metrics.matchAll(/^tracewatch_late_spans_total\{outcome="\w+"\} (\d+)/gm)]
      .map((m) => Number(m[1]))
      .reduce((a, b) => a + b, 0);
    const received = Number(
      /^tracewatch_spans_received_total\{encoding="otlp_proto"\} (\d+)/m.exec(metrics)?.[1],
    );

    const partial = produced.filter((id) => scored.get(id)!.some((n) => n !== SPANS_PER_TRACE));
    const rescored = produced.filter((id) => scored.get(id)!.length !== 1);
    // Measured spread of one trace's arrivals (first to last export answered), the wait it needs.
    const spread = Math.max(
      ...produced.map(
        (id) => Math.max(...services.arrivals.get(id)!) - Math.min(...services.arrivals.get(id)!),
      ),
    );
    console.log(
      `largest arrival spread of one trace: ${spread} ms; received ${received}; late spans: ${late} of ${spans} (${((100 * late) / spans).toFixed(2)}%); ` +
        `traces scored without all their spans: ${partial.length} of ${produced.length}; scored more than once: ${rescored.length}`,
    );
    expect(received).toBe(spans);
    expect(late).toBeLessThanOrEqual(spans * 0.001);
    // Every trace scored once, with every span the SDKs produced.
    expect(partial).toEqual([]);
    expect(rescored).toEqual([]);
    expect(produced.length).toBeGreaterThan(200);
  }, 120_000);
});
