import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigResourceTypes, Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBroker, stopBroker } from "../../scripts/kafka/kafka.mjs";
import { interpolate, readComposeFile, serviceEnvironment, type ComposeService } from "../helpers/compose.js";
import { freePort, privateBroker } from "../helpers/private-broker.js";
import { runCli, until, type CliChild } from "../helpers/serve-child.js";

const TOKEN = "compose-test-token-0123456789abcdef";

/**
 * The environment the container gets, mapped onto this machine the way Compose maps it onto its
 * network: the `kafka` host is the test's broker, the listen address 0.0.0.0 becomes loopback,
 * the container ports (the defaults the file publishes) become free ports, the models volume a
 * temporary directory.
 */
function localEnvironment(
  service: ComposeService,
  map: { bootstrap: string; modelDir: string; ports: Record<string, number> },
): Record<string, string> {
  const env = serviceEnvironment(service);
  const mapped = Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      v
        .replaceAll("kafka:9092", map.bootstrap)
        .replace(/^0\.0\.0\.0$/, "127.0.0.1")
        .replace(/^\/app\/models$/, map.modelDir),
    ]),
  );
  return { ...mapped, ...Object.fromEntries(Object.entries(map.ports).map(([k, p]) => [k, String(p)])) };
}

describe("docker-compose.yml's tracewatch service, run here against a fresh broker", () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let brokerStarted = false;
  let serve: CliChild | undefined;
  let kafka: Kafka;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "tw-compose-"));
    env = await privateBroker(home);
    brokerStarted = true;
    const { bootstrap } = await startBroker({ env, owner: "test" });
    kafka = new Kafka({ brokers: [bootstrap], clientId: "compose-test", logLevel: logLevel.NOTHING });
  });

  afterAll(async () => {
    await serve?.stop();
    if (brokerStarted) await stopBroker({ env });
    await rm(home, { recursive: true, force: true });
  });

  it("starts with its exact command and environment: creates its topics, listens for OTLP and becomes ready", async () => {
    const compose = interpolate(readComposeFile(), { TRACEWATCH_API_TOKEN: TOKEN }) as {
      services: Record<string, ComposeService>;
    };
    const service = compose.services.tracewatch!;
    const admin = kafka.admin();
    await admin.connect();
    try {
      // What the kafka-topics service does (the producer's span topic), from its environment.
      const spans = serviceEnvironment(compose.services["kafka-topics"]!);
      await admin.createTopics({
        topics: [{ topic: spans.SPANS_TOPIC!, numPartitions: Number(spans.SPANS_PARTITIONS) }],
        waitForLeaders: true,
      });
      const ports = {
        TRACEWATCH_API_PORT: await freePort(),
        TRACEWATCH_OTLP_PORT: await freePort(),
        TRACEWATCH_OTLP_GRPC_PORT: await freePort(),
      };
      const bootstrap = (await admin.describeCluster()).brokers.map((b) => `${b.host}:${b.port}`).join(",");
      const childEnv = localEnvironment(service, { bootstrap, modelDir: join(home, "models"), ports });
      expect(childEnv.KAFKA_BROKERS).toBe(bootstrap);
      serve = runCli(service.command as string[], childEnv);
      const api = `http://127.0.0.1:${ports.TRACEWATCH_API_PORT}`;
      await until("/readyz 200", 90_000, async () => {
        if (serve!.child.exitCode !== null) throw new Error(`serve exited: ${serve!.stderr()}`);
        const res = await fetch(`${api}/readyz`).catch(() => null);
        return res?.status === 200 ? true : undefined;
      });

      const created = serve
        .logLines()
        .filter((l) => l.msg === "topic created")
        .map((l) => l.topic);
      expect(created.sort()).toEqual([
        "tracewatch.alerts",
        "tracewatch.dlq",
        "tracewatch.features",
        "tracewatch.incidents",
        "tracewatch.models",
        "tracewatch.sampled",
      ]);
      const meta = await admin.fetchTopicMetadata({ topics: ["tracewatch.alerts", "tracewatch.models"] });
      expect(meta.topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
        ["tracewatch.alerts", 3],
        ["tracewatch.models", 1],
      ]);
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: "tracewatch.models", configNames: ["cleanup.policy"] },
        ],
      });
      expect(described.resources[0]?.configEntries[0]?.configValue).toBe("compact");

      // Both OTLP receivers listen beside Kafka; the API wants the token.
      const otlp = await fetch(`http://127.0.0.1:${ports.TRACEWATCH_OTLP_PORT}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(otlp.status).toBe(200);
      await new Promise<void>((resolve, reject) => {
        const socket = connect(ports.TRACEWATCH_OTLP_GRPC_PORT, "127.0.0.1", () => {
          socket.destroy();
          resolve();
        });
        socket.once("error", reject);
      });
      expect((await fetch(`${api}/api/v1/models`)).status).toBe(401);
      const models = await fetch(`${api}/api/v1/models`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(models.status).toBe(200);
    } finally {
      await admin.disconnect();
    }
    await serve.stop();
    expect(await serve.exited()).toBe(0);
  }, 180_000);
});
