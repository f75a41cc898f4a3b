import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/log/index.js";
import { Service } from "../../src/service/service.js";
import { createTestKafka, createTestTopic, deleteTopics, kafkaBrokers } from "../helpers/kafka.js";

// One Kafka message value written by the OpenTelemetry Collector's kafka exporter (otlp_proto,
// partition_traces_by_id) as config/examples/otelcol.yaml sets it up; see test/fixtures/otlp/README.md.
const message = readFileSync(
  join(import.meta.dirname, "../fixtures/otlp/otelcol-kafka-otlp_proto-message.bin"),
);
const TRACE_ID = "ccf139f37da10a78a04dbc22f305a65d";

const topics: string[] = [];
let dir: string | undefined;
let service: Service | undefined;
afterAll(async () => {
  await service?.stop();
  await deleteTopics(topics);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** The values of one metric family in Prometheus text, by their label text. */
function series(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, "gm")))
    out.set(m[1] ?? "", Number(m[2]));
  return out;
}

describe("tracewatch serve behind an OpenTelemetry Collector writing to Kafka", () => {
  it("decodes the Collector's message with its real service name and dead-letters nothing", async () => {
    const spans = await createTestTopic("otelcol-spans", 3);
    const out = {
      alerts: await createTestTopic("otelcol-alerts", 1),
      features: await createTestTopic("otelcol-features", 1),
      dlq: await createTestTopic("otelcol-dlq", 1),
      models: await createTestTopic("otelcol-models", 1, {
        configEntries: [{ name: "cleanup.policy", value: "compact" }],
      }),
    };
    topics.push(spans, ...Object.values(out));
    dir = await mkdtemp(join(tmpdir(), "tw-otelcol-"));
    const config = loadConfig(
      {
        text: `
apiVersion: aiops/v1
kind: TraceAnomalyDetector
metadata:
  name: shop
spec:
  assembly: { decision_wait: 1s, root_grace: 200ms }
  sources:
    kafka: { topic: ${spans}, group_id: ${spans}-group }
  topics: { alerts: ${out.alerts}, features: ${out.features}, models: ${out.models}, dlq: ${out.dlq} }
  api: { port: 0 }
  model_store: { dir: ${dir} }
`,
      },
      { KAFKA_BROKERS: kafkaBrokers().join(",") },
    );
    service = new Service(config, createLogger({ level: "silent" }));
    await service.start();

    const kafka = createTestKafka("otelcol-producer");
    const producer = kafka.producer();
    await producer.connect();
    // As the Collector sends it: the trace id (hex) as the key, the request as the value.
    await producer.send({ topic: spans, acks: -1, messages: [{ key: TRACE_ID, value: message }] });
    await producer.disconnect();

    const api = service.addresses.api!;
    let text = "";
    // The message holds no root span: the trace completes after the decision wait.
    for (let deadline = Date.now() + 30_000; ; await sleep(250)) {
      text = await (await fetch(`${api}/metrics`)).text();
      if ([...series(text, "tracewatch_traces_completed_total").values()].some((v) => v > 0)) break;
      if (Date.now() > deadline) throw new Error(`the Collector's trace did not complete:\n${text}`);
    }
    expect(series(text, "tracewatch_spans_received_total")).toEqual(
      new Map([['{encoding="otlp_proto"}', 2]]),
    );
    const calls = series(text, "traces_spanmetrics_calls_total");
    const services = [...calls.keys()].map((labels) => /service_name="([^"]*)"/.exec(labels)?.[1]);
    expect(new Set(services)).toEqual(new Set(["inventory"]));
    expect([...calls.values()].reduce((a, b) => a + b, 0)).toBe(2);
    expect(series(text, "tracewatch_spans_rejected_total").size).toBe(0);
    expect(series(text, "tracewatch_dlq_messages_total").size).toBe(0);

    const admin = kafka.admin();
    await admin.connect();
    try {
      const dlq = await admin.fetchTopicOffsets(out.dlq);
      expect(dlq.map((p) => p.high)).toEqual(["0"]);
    } finally {
      await admin.disconnect();
    }
  });
});
