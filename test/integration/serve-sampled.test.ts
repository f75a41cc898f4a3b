import { setTimeout as sleep } from "node:timers/promises";
import type { Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAlertCondition, checkSamplingCondition } from "../../src/cli/load-config.js";
import type { Service } from "../../src/service/service.js";
import { exportTraceServiceRequestType } from "../helpers/collector-wire.js";
import { detectorConfig } from "../helpers/detector-config.js";
import { KafkaServe } from "./kafka-serve.js";

interface NativeSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  service: string;
  name: string;
  kind: "SERVER" | "CLIENT";
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status: "UNSET" | "ERROR";
  attributes: Record<string, string>;
}

/** Decoded by protobufjs from the vendored OTLP protos: independent of tracewatch's decoder. */
interface DecodedRequest {
  resource_spans: {
    resource: { attributes: { key: string }[] };
    scope_spans: { spans: { trace_id: Uint8Array }[] }[];
  }[];
}

const hex = (n: number, len: number) => n.toString(16).padStart(len, "0");

/** A trace of `services.length` spans, each service calling the next; `error` marks them all ERROR. */
function trace(
  n: number,
  kind: string,
  services: string[],
  o: { error?: boolean; path?: string } = {},
): NativeSpan[] {
  const traceId = hex(n, 8) + "ab".repeat(12);
  const start = BigInt(Date.now()) * 1_000_000n;
  return services.map((service, i) => ({
    traceId,
    spanId: hex(n * 100 + i + 1, 16),
    parentSpanId: i === 0 ? null : hex(n * 100 + i, 16),
    service,
    name: `${kind} ${i}`,
    kind: i === 0 ? "SERVER" : "CLIENT",
    startTimeUnixNano: String(start + BigInt(i) * 1_000_000n),
    endTimeUnixNano: String(start + BigInt(20 - i) * 1_000_000n),
    status: o.error === true ? "ERROR" : "UNSET",
    attributes: { "http.path": o.path ?? "/checkout", "user.email": "jane@example.com" },
  }));
}

const SAMPLING = `apiVersion: tracing/v1
kind: SamplingStrategy
metadata:
  name: test-sampling
spec:
  default:
    type: probabilistic
    rate: 0
  rules:
    - name: errors
      condition: "status.code == ERROR"
      type: always_on
    - name: health_checks
      condition: "attributes['http.path'] =~ '/health|/ping'"
      type: always_off
  normal_sample:
    per_request_type: 1
    interval: 1h
`;

describe("tracewatch serve with Kafka: kept traces on the sampled topic", () => {
  let serve: KafkaServe;
  let service: Service;
  let producer: Producer;
  let topics: Readonly<Record<string, string>>;
  const alerted = new Set<string>();
  const sampled = new Map<string, { spans: number; services: string[]; body: string }>();

  beforeAll(async () => {
    serve = await KafkaServe.create({ prefix: "sampled", moreTopics: ["incidents", "sampled"] });
    topics = serve.topics;
    const config = detectorConfig(
      `  assembly: { decision_wait: 1s, root_grace: 200ms }
  redaction:
    - { action: hash, key: user.email }
  api: { port: 0 }
${serve.kafkaSpec()}---
${SAMPLING}`,
      "sampled",
    );
    service = await serve.start(config, {
      loadOptions: { checkCondition: checkAlertCondition, checkSamplingCondition },
    });
    producer = await serve.producer();
    const requestType = exportTraceServiceRequestType();
    await serve.consume(
      `${topics.sampled}-reader`,
      [topics.alerts!, topics.sampled!],
      async ({ topic, message }) => {
        if (topic === topics.alerts) {
          alerted.add((JSON.parse(message.value!.toString()) as { traceId: string }).traceId);
          return;
        }
        const request = requestType.toObject(requestType.decode(message.value!), {
          defaults: true,
        }) as DecodedRequest;
        const spans = request.resource_spans.flatMap((rs) => rs.scope_spans.flatMap((ss) => ss.spans));
        const ids = new Set(spans.map((s) => Buffer.from(s.trace_id).toString("hex")));
        expect([...ids]).toEqual([message.key!.toString()]);
        sampled.set(message.key!.toString(), {
          spans: spans.length,
          services: request.resource_spans.map((rs) => JSON.stringify(rs.resource.attributes)),
          body: message.value!.toString("latin1"),
        });
      },
    );
  });

  afterAll(async () => {
    await serve?.stop();
  });

  it("writes every alerted trace whole, a normal sample and no health check as OTLP protobuf keyed by trace id", async () => {
    const cascade = ["gateway", "orders", "payments", "inventory", "shipping", "email", "ledger"];
    const sent: NativeSpan[][] = [];
    for (let i = 0; i < 5; i++) sent.push(trace(1 + i, "POST /checkout", cascade, { error: true }));
    for (let i = 0; i < 10; i++) sent.push(trace(100 + i, "GET /cart", ["gateway", "cart"]));
    for (let i = 0; i < 5; i++)
      sent.push(trace(200 + i, "GET /health", ["gateway"], { path: "/health", error: i === 0 }));
    await producer.send({
      topic: topics.spans!,
      messages: sent.map((spans) => ({ key: spans[0]!.traceId, value: JSON.stringify(spans) })),
    });
    const errorTraces = sent.slice(0, 5).map((t) => t[0]!.traceId);
    for (let deadline = Date.now() + 60_000; ; await sleep(250)) {
      const normal = sent.slice(5, 15).filter((t) => sampled.has(t[0]!.traceId));
      if (errorTraces.every((id) => sampled.has(id)) && normal.length > 0 && alerted.size > 0) break;
      if (Date.now() > deadline) {
        const kept = await (await fetch(`${service.addresses.api!}/api/v1/traces`)).text();
        throw new Error(
          `sampled: ${[...sampled.keys()].join(", ")}; alerts ${alerted.size}; kept ${kept.slice(0, 300)}`,
        );
      }
    }
    // Let the rest of the traces through before counting what was (not) kept.
    await sleep(3_000);
    for (const id of alerted) expect(sampled.get(id)?.spans).toBe(cascade.length);
    for (const id of errorTraces) expect(sampled.get(id)?.spans).toBe(cascade.length);
    expect(sampled.get(errorTraces[0]!)?.services).toHaveLength(cascade.length);
    // One normal GET /cart trace: the comparison sample of its request type.
    expect(sent.slice(5, 15).filter((t) => sampled.has(t[0]!.traceId))).toHaveLength(1);
    expect(sent.slice(15).filter((t) => sampled.has(t[0]!.traceId))).toEqual([]);
    // spec.redaction applied before the trace left: the e-mail is hashed.
    for (const { body } of sampled.values()) expect(body).not.toContain("jane@example.com");
  });
});
