import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigResourceTypes, type Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestKafka, deleteTopics, kafkaBrokers, uniqueTopicName } from "../helpers/kafka.js";
import { runCli, until, type CliChild } from "../helpers/serve-child.js";

interface Readyz {
  status: string;
  components: { name: string; ready: boolean; reason?: string }[];
}

/** A config whose every topic has a fresh name: on the shared broker nothing of it exists yet. */
function configText(t: Record<string, string>, dir: string, create: boolean): string {
  return `
apiVersion: aiops/v1
kind: TraceAnomalyDetector
metadata:
  name: topics-test
spec:
  sources:
    kafka: { topic: ${t.spans}, group_id: ${t.spans}-group, session_timeout: 10s, heartbeat_interval: 1s }
  topics:
    alerts: ${t.alerts}
    features: ${t.features}
    models: ${t.models}
    dlq: ${t.dlq}
    create: ${create}
    settings:
      features: { partitions: 2, retention: 2d }
  api: { port: 0 }
  model_store: { dir: ${dir} }
  logging: { level: info }
`;
}

function topicNames(): Record<string, string> {
  return Object.fromEntries(
    ["spans", "alerts", "features", "models", "dlq"].map((role) => [
      role,
      uniqueTopicName(`tw-topics-${role}`),
    ]),
  );
}

describe("serve on a broker without its topics (automatic topic creation off)", () => {
  let dir: string;
  let admin: Admin;
  const created: string[] = [];
  const children: CliChild[] = [];
  const env = () => ({ KAFKA_BROKERS: kafkaBrokers().join(",") });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tw-serve-topics-"));
    admin = createTestKafka("serve-topics-test").admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await admin?.disconnect();
    await deleteTopics(created);
    await rm(dir, { recursive: true, force: true });
  });

  it("creates its topics, waits for the missing span topic not ready, then consumes it", async () => {
    const t = topicNames();
    created.push(...Object.values(t));
    await writeFile(join(dir, "create.yaml"), configText(t, join(dir, "models-a"), true));
    const serve = runCli(["serve", "--config", join(dir, "create.yaml")], env());
    children.push(serve);
    const api = await until("the API address", 60_000, () => {
      const started = serve.logLines().find((l) => l.msg === "tracewatch started");
      if (serve.child.exitCode !== null) throw new Error(`serve exited: ${serve.stderr()}`);
      return started?.api as string | undefined;
    });

    // Its own topics exist now, as configured; the span topic does not (the producer's).
    const topics = await admin.listTopics();
    for (const role of ["alerts", "features", "models", "dlq"]) expect(topics).toContain(t[role]);
    expect(topics).not.toContain(t.spans);
    const meta = await admin.fetchTopicMetadata({ topics: [t.features!, t.models!] });
    expect(meta.topics.find((m) => m.name === t.features)?.partitions).toHaveLength(2);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: t.models!, configNames: ["cleanup.policy"] },
        {
          type: ConfigResourceTypes.TOPIC,
          name: t.features!,
          configNames: ["retention.ms", "cleanup.policy"],
        },
      ],
    });
    const value = (topic: string, name: string) =>
      configs.resources
        .find((r) => r.resourceName === topic)
        ?.configEntries.find((e) => e.configName === name)?.configValue;
    expect(value(t.models!, "cleanup.policy")).toBe("compact");
    expect(value(t.features!, "cleanup.policy")).toBe("delete");
    expect(value(t.features!, "retention.ms")).toBe(String(2 * 24 * 3600 * 1000));

    // Up, not ready, saying why.
    const notReady = await fetch(`${api}/readyz`);
    expect(notReady.status).toBe(503);
    const body = (await notReady.json()) as Readyz;
    const consumer = body.components.find((c) => c.name === "kafka_consumer");
    expect(consumer?.ready).toBe(false);
    expect(consumer?.reason).toContain(`span topic ${t.spans} does not exist; waiting for it`);
    const waiting = serve
      .logLines()
      .filter((l) => l.msg === "span topic does not exist: waiting for it, not ready meanwhile");
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ level: 40, topic: t.spans });

    // The producer creates its topic and writes: serve starts consuming and becomes ready.
    await admin.createTopics({ topics: [{ topic: t.spans!, numPartitions: 2 }], waitForLeaders: true });
    const producer = createTestKafka("serve-topics-producer").producer();
    await producer.connect();
    const now = BigInt(Date.now()) * 1_000_000n;
    const span = {
      traceId: "a".repeat(32),
      spanId: "b".repeat(16),
      parentSpanId: null,
      service: "shop",
      name: "GET /",
      kind: "SERVER",
      startTimeUnixNano: String(now),
      endTimeUnixNano: String(now + 5_000_000n),
      status: "OK",
      attributes: {},
    };
    await producer.send({
      topic: t.spans!,
      messages: [{ key: span.traceId, value: JSON.stringify([span]) }],
    });
    await producer.disconnect();
    await until("the span consumed", 60_000, async () => {
      const metrics = await (await fetch(`${api}/metrics`)).text();
      return /^tracewatch_spans_received_total\{[^}]*\} [1-9]/m.test(metrics) ? true : undefined;
    });
    await until("/readyz ready", 30_000, async () =>
      (await fetch(`${api}/readyz`)).status === 200 ? true : undefined,
    );
    expect(
      serve.logLines().some((l) => l.msg === "span topic exists now: consuming" && l.topic === t.spans),
    ).toBe(true);
    // One warning for the whole wait, not one per look.
    expect(serve.logLines().filter((l) => l.msg === waiting[0]!.msg)).toHaveLength(1);
    await serve.stop();
    expect(await serve.exited()).toBe(0);
  }, 150_000);

  it("with spec.topics.create false, fails at start naming each missing topic and how to create it", async () => {
    const t = topicNames();
    created.push(...Object.values(t));
    await writeFile(join(dir, "no-create.yaml"), configText(t, join(dir, "models-b"), false));
    const serve = runCli(["serve", "--config", join(dir, "no-create.yaml")], env());
    children.push(serve);
    expect(await serve.exited()).toBe(1);
    const err = serve.stderr();
    expect(err).toContain("TW_TOPICS_MISSING: missing Kafka topics:");
    for (const role of ["alerts", "features", "models", "dlq"]) {
      expect(err).toContain(`${t[role]} (${role})`);
      expect(err).toContain(`--create --if-not-exists --topic ${t[role]} `);
    }
    expect(err).toContain("tracewatch topics --create");
    expect(err).not.toContain(`${t.spans} (spans)`);
    expect(await admin.listTopics()).not.toContain(t.features);
  }, 90_000);
});
