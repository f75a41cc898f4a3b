import { setTimeout as sleep } from "node:timers/promises";
import type { Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Service } from "../../src/service/service.js";
import { detectorConfig } from "../helpers/detector-config.js";
import { KafkaOtlpProtoExporter } from "../helpers/otel-kafka-exporter.js";
import { OtelShop, seededJitter } from "../helpers/otel-traffic.js";
import { KafkaServe } from "./kafka-serve.js";

interface AlertMessage {
  id: string;
  type: string;
  traceId: string;
}

describe("tracewatch serve with Kafka (OTLP protobuf span topic in, alerts and features out)", () => {
  let serve: KafkaServe;
  let service: Service;
  let producer: Producer;
  let topics: Readonly<Record<string, string>>;
  const alerts = new Map<string, AlertMessage>();
  let features = 0;

  beforeAll(async () => {
    serve = await KafkaServe.create({ prefix: "serve", spanPartitions: 3 });
    topics = serve.topics;
    service = await serve.start(
      detectorConfig(`  training: { window: 1h, sample_rate: 1.0, min_samples: 200, retrain_interval: 1h }
  assembly: { decision_wait: 1s, root_grace: 200ms }
  api: { port: 0 }
${serve.kafkaSpec()}`),
    );
    expect(serve.config!.spec.sources.otlp_http.enabled).toBe(false);
    producer = await serve.producer();
    await serve.consume(
      `${topics.alerts}-reader`,
      [topics.alerts!, topics.features!],
      async ({ topic, message }) => {
        if (topic === topics.features) features++;
        else {
          const a = JSON.parse(message.value!.toString()) as AlertMessage;
          expect(message.key?.toString()).toBe(a.id);
          alerts.set(`${a.type}:${a.traceId}`, a);
        }
      },
    );
  });

  afterAll(async () => {
    await serve?.stop();
  });

  it("scores traces consumed from the span topic and publishes the expected alerts", async () => {
    const shop = new OtelShop(() => new KafkaOtlpProtoExporter(producer, topics.spans!));
    const jitter = seededJitter(11);
    const start = Date.now() - 60_000;
    for (let i = 0; i < 300; i++) shop.record("normal", start + i * 100, jitter);
    await shop.flush();
    const api = service.addresses.api!;
    for (let deadline = Date.now() + 60_000; ; await sleep(250)) {
      const res = await fetch(`${api}/api/v1/models/retrain`, { method: "POST" });
      if (((await res.json()) as { status: string }).status === "completed") break;
      if (Date.now() > deadline) throw new Error("no model trained from the span topic");
    }
    const slow = shop.record("slow_inventory", Date.now(), jitter);
    const cascade = shop.record("cascade", Date.now(), jitter);
    await shop.flush();
    await shop.shutdown();
    for (let deadline = Date.now() + 30_000; ; await sleep(250)) {
      if (alerts.has(`latency_spike:${slow}`) && alerts.has(`cascade_failure:${cascade}`)) break;
      if (Date.now() > deadline) throw new Error(`alerts seen: ${[...alerts.keys()].join(", ")}`);
    }
    expect([...alerts.values()].filter((a) => a.type === "latency_spike").map((a) => a.traceId)).toEqual([
      slow,
    ]);
    expect(features).toBeGreaterThanOrEqual(300);
  });
});
