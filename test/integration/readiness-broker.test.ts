import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBroker, stopBroker } from "../../scripts/kafka/kafka.mjs";
import { loadConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/log/index.js";
import { Service } from "../../src/service/service.js";
import { privateBroker } from "../helpers/private-broker.js";
import { TS_WORKER } from "../helpers/ts-worker.js";

interface Readyz {
  status: string;
  sources: { name: string; connected: boolean; detail?: string }[];
  components: { name: string; ready: boolean; reason?: string }[];
}

describe("/readyz follows the live Kafka connection", () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let service: Service | undefined;
  let brokerStarted = false;
  let api: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "tw-readyz-kafka-"));
    env = await privateBroker(home);
    brokerStarted = true;
    const { bootstrap } = await startBroker({ env, owner: "test" });
    const kafka = new Kafka({ brokers: [bootstrap], clientId: "readyz-test", logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: "spans" },
        { topic: "alerts" },
        { topic: "features" },
        { topic: "dlq" },
        { topic: "models", configEntries: [{ name: "cleanup.policy", value: "compact" }] },
      ],
    });
    await admin.disconnect();
    const models = join(home, "models");
    await mkdir(models);
    const config = loadConfig(
      {
        text: `
apiVersion: aiops/v1
kind: TraceAnomalyDetector
metadata:
  name: shop
spec:
  sources:
    kafka: { topic: spans, group_id: readyz, session_timeout: 6s, heartbeat_interval: 1s, rebalance_timeout: 6s }
  topics: { alerts: alerts, features: features, models: models, dlq: dlq }
  api: { port: 0 }
  model_store: { dir: ${models} }
`,
      },
      { KAFKA_BROKERS: bootstrap },
    );
    service = new Service(config, createLogger({ level: "silent" }), { retrainWorker: TS_WORKER });
    await service.start();
    api = service.addresses.api!;
  });

  afterAll(async () => {
    await service?.stop(1_000);
    if (brokerStarted) await stopBroker({ env });
    await rm(home, { recursive: true, force: true });
  });

  async function readyz(): Promise<{ code: number; body: Readyz }> {
    const res = await fetch(`${api}/readyz`);
    return { code: res.status, body: (await res.json()) as Readyz };
  }

  /** Polls /readyz until it answers `code`; fails after `timeoutMs` with the last answer. */
  async function untilReadyz(code: number, timeoutMs: number): Promise<Readyz> {
    const deadline = Date.now() + timeoutMs;
    let last = await readyz();
    while (last.code !== code && Date.now() < deadline) {
      await sleep(250);
      last = await readyz();
    }
    expect(last.code, JSON.stringify(last.body)).toBe(code);
    return last.body;
  }

  it("turns 503 when the broker stops and 200 again by itself when it is back", async () => {
    const up = await untilReadyz(200, 30_000);
    expect(up.components.map((c) => [c.name, c.ready])).toEqual([
      ["model_store", true],
      ["kafka_consumer", true],
      ["kafka_producer", true],
      ["kafka_dlq_producer", true],
    ]);

    await stopBroker({ env });
    const down = await untilReadyz(503, 45_000);
    expect(down.status).toBe("not_ready");
    const consumer = down.components.find((c) => c.name === "kafka_consumer");
    expect(consumer?.ready).toBe(false);
    expect(consumer?.reason).toMatch(/consumer (crashed|disconnected|stopped)|no sign of life/);
    expect(down.sources).toEqual([{ name: "kafka", connected: false, detail: consumer?.reason }]);

    await startBroker({ env, owner: "test" });
    const again = await untilReadyz(200, 60_000);
    expect(again.components.every((c) => c.ready)).toBe(true);
    expect(again.sources).toEqual([{ name: "kafka", connected: true }]);
  }, 150_000);
});
