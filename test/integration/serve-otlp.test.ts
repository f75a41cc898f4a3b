import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { OTLPTraceExporter as OtlpHttpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OtlpProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/log/index.js";
import { Service } from "../../src/service/service.js";
import { OtelShop, seededJitter } from "../helpers/otel-traffic.js";
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
  redaction:
    - action: hash
      key: user.email
  sources:
    otlp_http:
      port: 0
    otlp_grpc:
      port: 0
  api:
    port: 0
  model_store:
    dir: ${dir}
`;

interface ListedAlert {
  type: string;
  traceId: string;
  severity: string;
  evidence: { newEdges: string[]; erroringServices: string[]; rootAttributes: Record<string, unknown> };
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

describe("tracewatch serve on the embedded default (OTLP/HTTP in)", () => {
  let dir: string;
  let service: Service;
  let api: string;
  let otlp: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tw-serve-"));
    const config = loadConfig({ text: CONFIG(dir) }, {});
    service = new Service(config, createLogger({ level: "silent" }), { retrainWorker: TS_WORKER });
    await service.start();
    api = service.addresses.api!;
    otlp = service.addresses.otlp!;
  });

  afterAll(async () => {
    await service?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const alerts = async (): Promise<ListedAlert[]> => {
    const res = await fetch(`${api}/api/v1/alerts?limit=1000`);
    return ((await res.json()) as { alerts: ListedAlert[] }).alerts;
  };

  it("learns from SDK traffic and raises the expected alerts for SDK-exported anomalies", async () => {
    // Half the services export OTLP protobuf, half OTLP JSON: both SDK exporters, real HTTP.
    const shop = new OtelShop((service) =>
      ["frontend", "inventory", "fraud"].includes(service)
        ? new OtlpProtoExporter({ url: `${otlp}/v1/traces` })
        : new OtlpHttpJsonExporter({ url: `${otlp}/v1/traces` }),
    );
    const jitter = seededJitter();
    const start = Date.now() - 60_000;
    for (let i = 0; i < 300; i++) shop.record("normal", start + i * 100, jitter);
    await shop.flush();
    const ready = await waitFor("300 traces in the window", async () => {
      const res = await fetch(`${api}/api/v1/models/retrain`, { method: "POST" });
      const body = (await res.json()) as { status: string; version?: string };
      return body.status === "completed" ? body : undefined;
    });
    expect(ready.version).toMatch(/^\d{8}T/);

    const slow = shop.record("slow_inventory", Date.now(), jitter);
    const cascade = shop.record("cascade", Date.now(), jitter);
    const newEdge = shop.record("new_edge", Date.now(), jitter);
    const normal = shop.record("normal", Date.now(), jitter);
    await shop.flush();
    await shop.shutdown();

    const got = await waitFor("alerts for the three anomalies", async () => {
      const list = await alerts();
      const ids = new Set(list.map((a) => `${a.type}:${a.traceId}`));
      return ids.has(`latency_spike:${slow}`) &&
        ids.has(`cascade_failure:${cascade}`) &&
        ids.has(`unusual_path:${newEdge}`)
        ? list
        : undefined;
    });
    expect(got.filter((a) => a.traceId === normal)).toEqual([]);
    const path = got.find((a) => a.type === "unusual_path")!;
    expect(path.evidence.newEdges).toEqual(["orders->fraud"]);
    const cascadeAlert = got.find((a) => a.type === "cascade_failure")!;
    expect(cascadeAlert.severity).toBe("critical");
    expect(cascadeAlert.evidence.erroringServices).toEqual(["frontend", "inventory", "orders", "payments"]);
    // The configured redaction hashed the root span's user.email before the alert left.
    const email = got.find((a) => a.type === "latency_spike")!.evidence.rootAttributes["user.email"];
    expect(email).toMatch(/^[0-9a-f]{64}$/);

    const metrics = await (await fetch(`${api}/metrics`)).text();
    expect(metrics).toMatch(/^traces_spanmetrics_calls_total\{/m);
    expect(metrics).toMatch(/^tracewatch_alerts_total\{type="latency_spike",severity="high"\} [1-9]/m);
  });
});
