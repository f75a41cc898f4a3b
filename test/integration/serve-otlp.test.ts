import { OTLPTraceExporter as OtlpHttpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OtlpProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  listAlerts,
  otlpServeConfig,
  startEmbeddedServe,
  trainOnNormalTraffic,
  type EmbeddedServe,
} from "../helpers/embedded-serve.js";
import { OtelShop, seededJitter } from "../helpers/otel-traffic.js";
import { until } from "../helpers/serve-child.js";

const CONFIG = (dir: string) =>
  otlpServeConfig(
    dir,
    `  redaction:
    - action: hash
      key: user.email
`,
  );

interface ListedAlert {
  type: string;
  traceId: string;
  severity: string;
  evidence: { newEdges: string[]; erroringServices: string[]; rootAttributes: Record<string, unknown> };
}

describe("tracewatch serve on the embedded default (OTLP/HTTP in)", () => {
  let serve: EmbeddedServe;
  let api: string;
  let otlp: string;

  beforeAll(async () => {
    serve = await startEmbeddedServe("tw-serve-", CONFIG);
    api = serve.api;
    otlp = serve.service.addresses.otlp!;
  });

  afterAll(async () => {
    await serve?.stop();
  });

  const alerts = () => listAlerts<ListedAlert>(api);

  it("learns from SDK traffic and raises the expected alerts for SDK-exported anomalies", async () => {
    // Half the services export OTLP protobuf, half OTLP JSON: both SDK exporters, real HTTP.
    const shop = new OtelShop((service) =>
      ["frontend", "inventory", "fraud"].includes(service)
        ? new OtlpProtoExporter({ url: `${otlp}/v1/traces` })
        : new OtlpHttpJsonExporter({ url: `${otlp}/v1/traces` }),
    );
    const jitter = seededJitter();
    const ready = await trainOnNormalTraffic(shop, api, jitter);
    expect(ready.version).toMatch(/^\d{8}T/);

    const slow = shop.record("slow_inventory", Date.now(), jitter);
    const cascade = shop.record("cascade", Date.now(), jitter);
    const newEdge = shop.record("new_edge", Date.now(), jitter);
    const normal = shop.record("normal", Date.now(), jitter);
    await shop.flush();
    await shop.shutdown();

    const got = await until("alerts for the three anomalies", 30_000, async () => {
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
