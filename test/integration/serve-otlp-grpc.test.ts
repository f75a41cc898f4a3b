import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { OTLPTraceExporter as OtlpGrpcExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter as OtlpProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/log/index.js";
import { Service } from "../../src/service/service.js";
import { OtelShop, seededJitter, type TrafficKind } from "../helpers/otel-traffic.js";
import { TS_WORKER } from "../helpers/ts-worker.js";

const CONFIG = (dir: string) => `
apiVersion: aiops/v1
kind: TraceAnomalyDetector
metadata:
  name: shop
spec:
  training:
    window: 1h
    sample_rate: 1.0
    min_samples: 200
    retrain_interval: 1h
  assembly:
    decision_wait: 1s
    root_grace: 200ms
  sources:
    otlp_http: { port: 0 }
    otlp_grpc: { port: 0 }
  api: { port: 0 }
  # Each transport's copy of an anomaly must alert: no dedup of the second copy's edge or origin.
  alerting: { cooldown: 0s }
  model_store:
    dir: ${dir}
`;

interface ListedAlert {
  type: string;
  traceId: string;
  severity: string;
  evidence: { newEdges: string[]; erroringServices: string[] };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

type GrpcCompression = NonNullable<ConstructorParameters<typeof OtlpGrpcExporter>[0]>["compression"];

describe("tracewatch serve with the OpenTelemetry JS gRPC exporter (OTLP/gRPC in)", () => {
  let dir: string;
  let service: Service;
  let api: string;
  let grpcUrl: string;
  let httpUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tw-serve-grpc-"));
    service = new Service(loadConfig({ text: CONFIG(dir) }, {}), createLogger({ level: "silent" }), {
      retrainWorker: TS_WORKER,
    });
    await service.start();
    api = service.addresses.api!;
    // The exporter takes http:// for a plaintext channel.
    grpcUrl = service.addresses.otlpGrpc!.replace(/^grpc:/, "http:");
    httpUrl = `${service.addresses.otlp!}/v1/traces`;
  });

  afterAll(async () => {
    await service?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const alerts = async (): Promise<ListedAlert[]> => {
    const res = await fetch(`${api}/api/v1/alerts?limit=1000`);
    return ((await res.json()) as { alerts: ListedAlert[] }).alerts;
  };

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
    const start = Date.now() - 60_000;
    for (let i = 0; i < 300; i++) grpcShop.record("normal", start + i * 100, jitter);
    await grpcShop.flush();
    const trained = await waitFor("300 traces in the window", async () => {
      const res = await fetch(`${api}/api/v1/models/retrain`, { method: "POST" });
      const body = (await res.json()) as { status: string; version?: string; samples?: number };
      return body.status === "completed" ? body : undefined;
    });
    expect(trained.version).toMatch(/^\d{8}T/);

    // The same four traces through each transport.
    const kinds: TrafficKind[] = ["slow_inventory", "cascade", "new_edge", "normal"];
    const viaGrpc = kinds.map((k) => grpcShop.record(k, Date.now(), jitter));
    const viaHttp = kinds.map((k) => httpShop.record(k, Date.now(), jitter));
    await Promise.all([grpcShop.flush(), httpShop.flush()]);
    await Promise.all([grpcShop.shutdown(), httpShop.shutdown()]);

    const expected = ["latency_spike", "cascade_failure", "unusual_path"];
    const got = await waitFor("alerts for the six anomalies", async () => {
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
