import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { nativeJsonSpan } from "../../src/decode/index.js";
import type { Span } from "../../src/domain/span.js";
import { createLogger } from "../../src/log/index.js";
import { encodeOtlpJson, encodeOtlpProto } from "../../src/otlp/index.js";
import { Service } from "../../src/service/service.js";
import { checkoutSpan } from "../helpers/checkout-span.js";
import { createTestKafka, createTestTopic, deleteTopics, kafkaBrokers } from "../helpers/kafka.js";
import { TS_WORKER } from "../helpers/ts-worker.js";
import { produceAll, readMessages } from "./ingest-support.js";

const topics: string[] = [];
let dir = "";
afterAll(async () => {
  await deleteTopics(topics);
  if (dir !== "") await rm(dir, { recursive: true, force: true });
});

const email = (i: number) => `user${i}.raw@example.com`;
const ssn = (i: number) => `078-05-${String(1000 + i)}`;

function span(i: number, spanId: string): Span {
  return checkoutSpan(createHash("md5").update(`trace-${i}`).digest("hex"), spanId, {
    "user.email": email(i),
    "user.ssn": ssn(i),
    "http.route": "/pay",
  });
}

/** Messages the decoder rejects in part or whole, each with personal data, in every encoding. */
const KINDS: Array<[string, (i: number) => Buffer]> = [
  // A good span and one without a span id: the good one is kept, the message dead-lettered.
  ["partial OTLP protobuf", (i) => Buffer.from(encodeOtlpProto([span(i, "b7ad6b7169203331"), span(i, "")]))],
  ["partial OTLP JSON", (i) => Buffer.from(encodeOtlpJson([span(i, "b7ad6b7169203331"), span(i, "zz")]))],
  [
    "native JSON with a bad id",
    (i) =>
      Buffer.from(
        JSON.stringify([nativeJsonSpan(span(i, "b7ad6b7169203331")), nativeJsonSpan(span(i, "x"))]),
      ),
  ],
  [
    "NDJSON with a broken line",
    (i) =>
      Buffer.from(
        `${JSON.stringify(nativeJsonSpan(span(i, "zz")))}\n{"user.email": ${email(i)}, "ssn": ${ssn(i)}`,
      ),
  ],
  ["broken JSON", (i) => Buffer.from(`{"attributes": {"user.email": ${email(i)}, "user.ssn": "${ssn(i)}"`)],
  ["truncated protobuf", (i) => Buffer.from(encodeOtlpProto([span(i, "b7ad6b7169203331")])).subarray(0, 120)],
];
const PER_KIND = 50;

describe("dead letters with spec.redaction against a real broker", () => {
  it("never writes a raw hash/delete attribute value to the dead-letter topic", async () => {
    dir = await mkdtemp(join(tmpdir(), "tw-dlq-redaction-"));
    const spans = await createTestTopic("redact-spans", 2);
    const dlq = await createTestTopic("redact-dlq", 1);
    const alerts = await createTestTopic("redact-alerts", 1);
    const features = await createTestTopic("redact-features", 1);
    const models = await createTestTopic("redact-models", 1, {
      configEntries: [{ name: "cleanup.policy", value: "compact" }],
    });
    topics.push(spans, dlq, alerts, features, models);
    const config = loadConfig(
      {
        text: `
apiVersion: aiops/v1
kind: TraceAnomalyDetector
metadata: { name: shop }
spec:
  assembly: { decision_wait: 1s, root_grace: 200ms }
  sources:
    kafka: { topic: ${spans}, group_id: ${spans}-group }
  topics: { dlq: ${dlq}, alerts: ${alerts}, features: ${features}, models: ${models} }
  sinks: [{ type: log }]
  redaction:
    - { action: hash, key: user.email }
    - { action: delete, key: user.ssn }
  api: { enabled: false }
  model_store: { dir: ${dir} }
`,
      },
      { KAFKA_BROKERS: kafkaBrokers().join(",") },
    );
    const service = new Service(config, createLogger({ level: "silent" }), { retrainWorker: TS_WORKER });
    const kafka = createTestKafka("dlq-redaction");
    const producer = kafka.producer();
    const messages = KINDS.flatMap(([kind, make]) =>
      Array.from({ length: PER_KIND }, (_, i) => ({
        key: `${kind}-${i}`,
        value: make(i),
        headers: { kind },
      })),
    );
    await service.start();
    try {
      await producer.connect();
      await produceAll(producer, spans, messages);
      await producer.disconnect();
      const letters = await readMessages(createTestKafka("dlq-redaction-reader"), dlq, messages.length);
      expect(letters).toHaveLength(messages.length);
      const raw = [
        ...Array.from({ length: PER_KIND }, (_, i) => email(i)),
        ...Array.from({ length: PER_KIND }, (_, i) => ssn(i)),
      ];
      let hashed = 0;
      for (const letter of letters) {
        const text = [
          letter.key?.toString("latin1") ?? "",
          letter.value?.toString("latin1") ?? "",
          ...Object.entries(letter.headers ?? {}).map(([k, v]) => `${k}=${String(v)}`),
        ].join("\n");
        for (const value of raw) expect(text, letter.key?.toString()).not.toContain(value);
        expect(text).not.toContain(".raw@example.com");
        if (/[0-9a-f]{64}/.test(letter.value?.toString("latin1") ?? "")) hashed += 1;
        const kind = letter.headers?.kind?.toString();
        if (kind === "broken JSON" || kind === "truncated protobuf") {
          expect(letter.headers?.["payload.undecodable"]?.toString()).toBe("removed");
          expect(letter.value?.length ?? 0).toBe(0);
        } else {
          expect(Number(letter.headers?.["payload.redacted"]?.toString())).toBeGreaterThan(0);
        }
      }
      // The parseable kinds keep their spans, with user.email as its SHA-256.
      expect(hashed).toBe(4 * PER_KIND);
    } finally {
      await service.stop();
    }
  });
});
