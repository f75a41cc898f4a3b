import { OTLPTraceExporter as OtlpGrpcExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter as OtlpProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  listAlerts,
  otlpServeConfig,
  startEmbeddedServe,
  trainOnNormalTraffic,
  type EmbeddedServe,
} from "../helpers/embedded-serve.js";
import { OtelShop, seededJitter, type TrafficKind } from "../helpers/otel-traffic.js";
import { until } from "../helpers/serve-child.js";

// Each transport's copy of an anomaly must alert: no dedup of the second copy's edge or origin.
const CONFIG = (dir: string) => otlpServeConfig(dir, "  alerting: { cooldown: 0s }\n");

interface ListedAlert {
  type: string;
  traceId: string;
  severity: string;
  evidence: { newEdges: string[]; erroringServices: string[] };
}

type GrpcCompression = NonNullable<ConstructorParameters<typeof OtlpGrpcExporter>[0]>["compression"];

describe("tracewatch serve with the OpenTelemetry JS gRPC exporter (OTLP/gRPC in)", () => {
  let serve: EmbeddedServe;
  let api: string;
  let grpcUrl: string;
  let httpUrl: string;

  beforeAll(async () => {
    serve = await startEmbeddedServe("tw-serve-grpc-", CONFIG);
    api = serve.api;
    // The exporter takes http:// for a plaintext channel.
    grpcUrl = serve.service.addresses.otlpGrpc!.replace(/^grpc:/, "http:");
    httpUrl = `${serve.service.addresses.otlp!}/v1/traces`;
  });

  afterAll(async () => {
    await serve?.stop();
  });

  const alerts = () => listAlerts<ListedAlert>(api);

  it("scores the gRPC exporter's spans as it scores the same traffic over OTLP/HTTP", async () => {
    // Every service exports over gRPC; half of them gzip their requests.
    const grpcShop = new OtelShop(
      (name) =>
        new OtlpGrpcExporter({
          url: grpcUrl,
          ...(["frontend", "inventory"].includes(name) ? { compression: "gzip" as GrpcCompression } : {}),
        }),
    );
    const httpShop = new OtelShop(() => new OtlpProtoExporter({ url: httpUrl }));
    const jitter = seededJitter();
    const trained = await trainOnNormalTraffic(grpcShop, api, jitter);
    expect(trained.version).toMatch(/^\d{8}T/);

    // The same four traces through each transport.
    const kinds: TrafficKind[] = ["slow_inventory", "cascade", "new_edge", "normal"];
    const viaGrpc = kinds.map((k) => grpcShop.record(k, Date.now(), jitter));
    const viaHttp = kinds.map((k) => httpShop.record(k, Date.now(), jitter));
    await Promise.all([grpcShop.flush(), httpShop.flush()]);
    await Promise.all([grpcShop.shutdown(), httpShop.shutdown()]);

    const expected = ["latency_spike", "cascade_failure", "unusual_path"];
    const got = await until("alerts for the six anomalies", 30_000, async () => {
      const list = await alerts();
      const ids = new Set(list.map((a) => `${a.type}:${a.traceId}`));
      const all =
        [...viaGrpc, ...viaHttp].length > 0 &&
        expected.every((type, i) => ids.has(`${type}:${viaGrpc[i]}`) && ids.has(`${type}:${viaHttp[i]}`));
      return all ? list : undefined;
    });
    // What each transport's traces raised, as (kind, alert type, severity, evidence).
    const raised = (ids: string[]) =>
      ids.map((id, i) =>
        got
          .filter((a) => a.traceId === id)
          .map((a) => [kinds[i], a.type, a.severity, a.evidence.newEdges, a.evidence.erroringServices])
          .sort(),
      );
    expect(raised(viaGrpc)).toEqual(raised(viaHttp));
    expect(raised(viaGrpc)[3]).toEqual([]); // the normal trace raised nothing
    expect(got.find((a) => a.traceId === viaGrpc[2])?.evidence.newEdges).toEqual(["orders->fraud"]);

    const metrics = await (await fetch(`${api}/metrics`)).text();
    expect(metrics).toMatch(/^tracewatch_otlp_grpc_requests_total\{code="OK"\} [1-9]/m);
    expect(metrics).not.toMatch(/^tracewatch_otlp_grpc_requests_total\{code="(?!OK)/m);
    const ready = (await (await fetch(`${api}/readyz`)).json()) as { sources: unknown[] };
    expect(ready.sources).toContainEqual({ name: "otlp_grpc", connected: true });
  });
});
