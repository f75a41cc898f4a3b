import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { detectorConfig } from "../helpers/detector-config.js";
import { KafkaServe } from "./kafka-serve.js";

// One Kafka message value written by the OpenTelemetry Collector's kafka exporter (otlp_proto,
// partition_traces_by_id) as config/examples/otelcol.yaml sets it up; see test/fixtures/otlp/README.md.
const message = readFileSync(
  join(import.meta.dirname, "../fixtures/otlp/otelcol-kafka-otlp_proto-message.bin"),
);
const TRACE_ID = "ccf139f37da10a78a04dbc22f305a65d";

let serve: KafkaServe | undefined;
afterAll(async () => {
  await serve?.stop();
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
    serve = await KafkaServe.create({ prefix: "otelcol", spanPartitions: 3 });
    const service = await serve.start(
      detectorConfig(`  assembly: { decision_wait: 1s, root_grace: 200ms }
  api: { port: 0 }
${serve.kafkaSpec()}`),
    );

    const producer = await serve.producer();
    // As the Collector sends it: the trace id (hex) as the key, the request as the value.
    await producer.send({
      topic: serve.topics.spans!,
      acks: -1,
      messages: [{ key: TRACE_ID, value: message }],
    });

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

    const admin = await serve.admin();
    const dlq = await admin.fetchTopicOffsets(serve.topics.dlq!);
    expect(dlq.map((p) => p.high)).toEqual(["0"]);
  });
});
