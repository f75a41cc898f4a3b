import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Consumer, Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/log/index.js";
import { Service } from "../../src/service/service.js";
import { createTestKafka, createTestTopic, deleteTopics, kafkaBrokers } from "../helpers/kafka.js";
import { KafkaOtlpProtoExporter } from "../helpers/otel-kafka-exporter.js";
import { OtelShop, seededJitter } from "../helpers/otel-traffic.js";
import { TS_WORKER } from "../helpers/ts-worker.js";

interface AlertMessage {
  id: string;
  type: string;
  traceId: string;
}

describe("tracewatch serve with Kafka (OTLP protobuf span topic in, alerts and features out)", () => {
  let dir: string;
  let service: Service;
  let producer: Producer;
  let consumer: Consumer;
  const topics: Record<string, string> = {};
  const alerts = new Map<string, AlertMessage>();
  let features = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tw-serve-kafka-"));
    topics.spans = await createTestTopic("serve-spans", 3);
    topics.alerts = await createTestTopic("serve-alerts", 1);
    topics.features = await createTestTopic("serve-features", 1);
    topics.dlq = await createTestTopic("serve-dlq", 1);
    topics.models = await createTestTopic("serve-models", 1, {
      configEntries: [{ name: "cleanup.policy", value: "compact" }],
    });
    const config = loadConfig(
      {
        text: `
apiVersion: aiops/v1
kind: TraceAnomalyDetector
metadata:
  name: shop
spec:
  training: { window: 1h, sample_rate: 1.0, min_samples: 200, retrain_interval: 1h }
  assembly: { decision_wait: 1s, root_grace: 200ms }
  sources:
    kafka: { topic: ${topics.spans}, group_id: ${topics.spans}-group }
  topics: { alerts: ${topics.alerts}, features: ${topics.features}, models: ${topics.models}, dlq: ${topics.dlq} }
  api: { port: 0 }
  model_store: { dir: ${dir} }
`,
      },
      { KAFKA_BROKERS: kafkaBrokers().join(",") },
    );
    expect(config.spec.sources.otlp_http.enabled).toBe(false);
    service = new Service(config, createLogger({ level: "silent" }), { retrainWorker: TS_WORKER });
    await service.start();
    const kafka = createTestKafka("serve-kafka-test");
    producer = kafka.producer();
    await producer.connect();
    consumer = kafka.consumer({ groupId: `${topics.alerts}-reader` });
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.alerts, topics.features], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (topic === topics.features) features++;
        else {
          const a = JSON.parse(message.value!.toString()) as AlertMessage;
          expect(message.key?.toString()).toBe(a.id);
          alerts.set(`${a.type}:${a.traceId}`, a);
        }
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await service?.stop();
    await deleteTopics(Object.values(topics));
    await rm(dir, { recursive: true, force: true });
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
