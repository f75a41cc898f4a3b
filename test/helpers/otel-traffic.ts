import {
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Span as OtelSpan,
  type Tracer,
} from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";

/**
 * A tiny shop recorded with the real OpenTelemetry SDK: one TracerProvider (and exporter) per
 * service, as real services have. frontend → orders → inventory and payments, each call a CLIENT
 * span in the caller and a SERVER span in the callee.
 */
export type TrafficKind = "normal" | "slow_inventory" | "cascade" | "new_edge";

const SERVICES = ["frontend", "orders", "inventory", "payments", "fraud"] as const;
type Service = (typeof SERVICES)[number];

export class OtelShop {
  private readonly providers = new Map<Service, BasicTracerProvider>();

  constructor(exporterFor: (service: Service) => SpanExporter) {
    for (const service of SERVICES) {
      this.providers.set(
        service,
        new BasicTracerProvider({
          resource: resourceFromAttributes({ "service.name": service }),
          spanProcessors: [new BatchSpanProcessor(exporterFor(service), { maxExportBatchSize: 256 })],
        }),
      );
    }
  }

  private tracer(service: Service): Tracer {
    return this.providers.get(service)!.getTracer("tracewatch-test");
  }

  /** Records one trace starting at `startMs`; returns its trace id. */
  record(kind: TrafficKind, startMs: number, jitter: () => number): string {
    const fail = kind === "cascade";
    const slow = kind === "slow_inventory" ? 2_000 : 0;
    const t = (ms: number) => startMs + ms;
    const root = this.tracer("frontend").startSpan("GET /checkout", {
      kind: SpanKind.SERVER,
      startTime: t(0),
      attributes: { "http.method": "GET", "user.email": "someone@example.com" },
    });
    const call = (
      parent: OtelSpan,
      from: Service,
      to: Service,
      op: string,
      at: number,
      dur: number,
    ): OtelSpan => {
      const ctx = trace.setSpan(context.active(), parent);
      const client = this.tracer(from).startSpan(
        `call ${to}`,
        { kind: SpanKind.CLIENT, startTime: t(at) },
        ctx,
      );
      const server = this.tracer(to).startSpan(
        op,
        { kind: SpanKind.SERVER, startTime: t(at + 1) },
        trace.setSpan(context.active(), client),
      );
      if (fail) {
        client.setStatus({ code: SpanStatusCode.ERROR, message: "upstream failed" });
        server.setStatus({ code: SpanStatusCode.ERROR, message: "failed" });
      }
      server.end(t(at + dur - 1));
      client.end(t(at + dur));
      return server;
    };
    const d = 20 + jitter();
    const orders = this.tracer("orders");
    const ordersCtx = trace.setSpan(context.active(), root);
    const ordersClient = this.tracer("frontend").startSpan(
      "call orders",
      { kind: SpanKind.CLIENT, startTime: t(2) },
      ordersCtx,
    );
    const ordersServer = orders.startSpan(
      "POST /orders",
      { kind: SpanKind.SERVER, startTime: t(3) },
      trace.setSpan(context.active(), ordersClient),
    );
    call(ordersServer, "orders", "inventory", "GET /stock", 5, d + slow);
    call(ordersServer, "orders", "payments", "POST /charge", 6 + d + slow, d);
    if (kind === "new_edge") call(ordersServer, "orders", "fraud", "POST /score", 7 + 2 * d + slow, 5);
    const end = 15 + 2 * d + slow;
    if (fail) {
      for (const s of [ordersServer, ordersClient, root])
        s.setStatus({ code: SpanStatusCode.ERROR, message: "failed" });
    }
    ordersServer.end(t(end - 2));
    ordersClient.end(t(end - 1));
    root.end(t(end));
    return root.spanContext().traceId;
  }

  async flush(): Promise<void> {
    await Promise.all([...this.providers.values()].map((p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.providers.values()].map((p) => p.shutdown()));
  }
}

/** A deterministic jitter source (0..10 ms). */
export function seededJitter(seed = 7): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return (x / 2_147_483_648) * 10;
  };
}
