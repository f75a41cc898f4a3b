import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Admin, Consumer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Span } from "../../src/domain/span.js";
import { encodeOtlpProto } from "../../src/otlp/index.js";
import { createTestKafka, createTestTopic, deleteTopics, kafkaBrokers } from "../helpers/kafka.js";

const ROOT = join(import.meta.dirname, "../..");
const TS_REGISTER = join(ROOT, "test/unit/model/helpers/ts-register.mjs");
const SECRET = `whsec_${randomBytes(24).toString("base64")}`;
const CASCADES = 6;

/** `tracewatch serve` from the sources, as a child process that can be SIGKILLed. */
function serve(configPath: string, log: string[]): ChildProcess {
  const main = new URL("../../src/cli/main.ts", import.meta.url).href;
  const script = `const { run } = await import(${JSON.stringify(main)});
process.exitCode = await run(["serve", "--config", ${JSON.stringify(configPath)}]);`;
  const child = spawn(process.execPath, ["--import", TS_REGISTER, "--input-type=module", "-e", script], {
    cwd: ROOT,
    env: {
      ...process.env,
      KAFKA_BROKERS: kafkaBrokers().join(","),
      TRACEWATCH_WEBHOOK_SECRET: SECRET,
      TRACEWATCH_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr!.on("data", (chunk: Buffer) => log.push(chunk.toString()));
  return child;
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once("exit", r));

/**
 * Spans of one trace the seed's cascade_failure rule fires on (6 error spans in 5 services); the
 * deepest erroring service, the alert's origin, is distinct per `n`, so cooldown merges nothing.
 */
function cascadeSpans(n: number): Span[] {
  const traceId = randomBytes(16).toString("hex");
  const startNs = BigInt(Date.now()) * 1_000_000n;
  const services = ["frontend", "orders", "payments", "ledger", "ledger", `bank-${n}`];
  return services.map((service, i) => ({
    traceId,
    spanId: (i + 1).toString(16).padStart(16, "0"),
    parentSpanId: i === 0 ? null : i.toString(16).padStart(16, "0"),
    service,
    name: `call ${i}`,
    kind: i === 0 ? "SERVER" : "CLIENT",
    startTimeUnixNano: startNs + BigInt(i) * 1_000_000n,
    endTimeUnixNano: startNs + BigInt(50 - i) * 1_000_000n,
    status: "ERROR",
    attributes: {},
  }));
}

/** Verifies a Standard Webhooks signature as a receiver would. */
function validSignature(headers: NodeJS.Dict<string | string[]>, body: string): boolean {
  const id = String(headers["webhook-id"]);
  const timestamp = String(headers["webhook-timestamp"]);
  const key = Buffer.from(SECRET.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest();
  return String(headers["webhook-signature"])
    .split(" ")
    .some((s) => {
      const given = Buffer.from(s.slice(3), "base64");
      return s.startsWith("v1,") && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

/** A webhook receiver on 127.0.0.1: answers 503 until `up`, then records every validly signed alert id. */
class Receiver {
  up = false;
  readonly received = new Set<string>();
  badSignatures = 0;
  refused = 0;
  private readonly server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (!this.up) {
        this.refused++;
        res.writeHead(503).end();
        return;
      }
      const alert = JSON.parse(body) as { id: string };
      if (!validSignature(req.headers, body) || req.headers["webhook-id"] !== alert.id) this.badSignatures++;
      else this.received.add(alert.id);
      res.writeHead(200).end();
    });
  });

  /** Listens on a free port the first time; the URL of the alerts endpoint. */
  async listen(): Promise<string> {
    if (!this.server.listening)
      await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/alerts`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls `ok` every 100 ms; fails after `ms` or as soon as `child` (if any) exited, with its log. */
async function waitUntil(
  what: string,
  ok: () => boolean | Promise<boolean>,
  ms: number,
  child: ChildProcess | null,
  log: string[],
): Promise<void> {
  for (const deadline = Date.now() + ms; !(await ok()); await sleep(100)) {
    const gone = child !== null && child.exitCode !== null;
    const why = gone ? `child exited (${child.exitCode})` : `not seen within ${ms} ms`;
    if (gone || Date.now() > deadline) throw new Error(`${what}: ${why}; child log:\n${log.join("")}`);
  }
}

describe("alert durability of tracewatch serve with a webhook that is down", () => {
  const topics: string[] = [];
  let dir: string;
  let admin: Admin;
  const readers: Consumer[] = [];
  let receiver: Receiver;
  let alertsTopic = new Set<string>();
  const deadLetters = new Map<string, string>();
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tw-durability-"));
    const kafka = createTestKafka("alert-durability");
    admin = kafka.admin();
    await admin.connect();
    receiver = new Receiver();
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    for (const reader of readers) await reader.disconnect();
    await admin?.disconnect();
    await receiver?.close();
    await deleteTopics(topics);
    await rm(dir, { recursive: true, force: true });
  });

  /** Fresh topics, a config for them and the cascade traces on the span topic. */
  async function scenario(
    name: string,
    sink: string,
  ): Promise<{ config: string; spans: string; group: string }> {
    alertsTopic = new Set();
    deadLetters.clear();
    const spans = await createTestTopic(`${name}-spans`, 3);
    const alerts = await createTestTopic(`${name}-alerts`, 1);
    const features = await createTestTopic(`${name}-features`, 1);
    const dlq = await createTestTopic(`${name}-dlq`, 1);
    const models = await createTestTopic(`${name}-models`, 1, {
      configEntries: [{ name: "cleanup.policy", value: "compact" }],
    });
    topics.push(spans, alerts, features, dlq, models);
    const config = join(dir, `${name}.yaml`);
    await writeFile(
      config,
      `apiVersion: aiops/v1
kind: TraceAnomalyDetector
metadata: { name: durability }
spec:
  training: { min_samples: 10000, retrain_interval: 1h }
  assembly: { decision_wait: 1s, root_grace: 200ms }
  sources: { kafka: { topic: ${spans}, group_id: ${spans}-group, session_timeout: 6s, heartbeat_interval: 1s } }
  topics: { alerts: ${alerts}, features: ${features}, models: ${models}, dlq: ${dlq} }
  api: { port: 0 }
  model_store: { dir: ${join(dir, name)} }
  incidents: { notify: trace }
  sinks:
    - { type: kafka }
    - ${sink}
`,
    );
    const reader = createTestKafka("alert-durability-reader").consumer({ groupId: `${alerts}-reader` });
    readers.push(reader);
    await reader.connect();
    await reader.subscribe({ topics: [alerts, dlq], fromBeginning: true });
    await reader.run({
      eachMessage: async ({ topic, message }) => {
        const id = message.key!.toString();
        if (topic === alerts) alertsTopic.add(id);
        else deadLetters.set(id, message.headers?.["tracewatch.dlq.reason"]?.toString() ?? "");
      },
    });
    const producer = createTestKafka("alert-durability-spans").producer();
    await producer.connect();
    const messages = Array.from({ length: CASCADES }, (_, n) => cascadeSpans(n)).map((s) => ({
      key: s[0]!.traceId,
      value: Buffer.from(encodeOtlpProto(s)),
    }));
    await producer.send({ topic: spans, acks: -1, messages });
    await producer.disconnect();
    return { config, spans, group: `${spans}-group` };
  }

  /** Whether the group committed every partition to its end (an empty partition needs no commit). */
  async function committedToEnd(topic: string, group: string): Promise<boolean> {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return ends.every(
      (e) =>
        e.high === e.low || committed!.partitions.find((p) => p.partition === e.partition)?.offset === e.high,
    );
  }

  it("delivers every alert to a webhook that was down when the service was SIGKILLed", async () => {
    const url = await receiver.listen();
    const hook = `{ type: webhook, name: hook, url: "${url}", secret: "\${TRACEWATCH_WEBHOOK_SECRET}", retries: 100, backoff_initial: 100ms, backoff_max: 500ms, breaker_open: 500ms }`;
    const { config, spans, group } = await scenario("durability-crash", hook);
    const log: string[] = [];
    const first = serve(config, log);
    children.push(first);
    await waitUntil(
      "every alert on the alerts topic",
      () => alertsTopic.size === CASCADES,
      30_000,
      first,
      log,
    );
    await waitUntil("webhook attempts", () => receiver.refused >= CASCADES, 10_000, first, log);
    // Offsets are committed every second: give a commit past these traces time to happen.
    await sleep(2_500);
    expect(await committedToEnd(spans, group)).toBe(false);
    first.kill("SIGKILL");
    await exited(first);

    receiver.up = true;
    const second = serve(config, log);
    children.push(second);
    // The restarted consumer joins once the group has evicted the killed one (session_timeout, 6 s);
    // with kafkajs' 30 s default this takes about 27 s, so 20 s also proves the setting reached it.
    const restarted = Date.now();
    await waitUntil(
      "every alert at the webhook",
      () => receiver.received.size >= CASCADES,
      20_000,
      second,
      log,
    );
    process.stderr.write(
      `alert-durability: every alert at the webhook ${Date.now() - restarted} ms after the restart\n`,
    );
    expect([...receiver.received].sort()).toEqual([...alertsTopic].sort());
    expect(receiver.badSignatures).toBe(0);
    await waitUntil(
      "offsets committed after delivery",
      () => committedToEnd(spans, group),
      10_000,
      second,
      log,
    );
    second.kill("SIGTERM");
    expect(await exited(second)).toBe(0);
  });

  it("on SIGTERM drains the sinks, dead-letters what is left, then commits past every trace", async () => {
    receiver.up = false;
    const url = await receiver.listen();
    const hook = `{ type: webhook, name: hook, url: "${url}", secret: "\${TRACEWATCH_WEBHOOK_SECRET}", retries: 100, backoff_max: 500ms, shutdown_grace: 1s }`;
    const { config, spans, group } = await scenario("durability-stop", hook);
    const log: string[] = [];
    const child = serve(config, log);
    children.push(child);
    await waitUntil(
      "every alert on the alerts topic",
      () => alertsTopic.size === CASCADES,
      30_000,
      child,
      log,
    );
    const stopping = Date.now();
    child.kill("SIGTERM");
    const code = await Promise.race([exited(child), sleep(25_000).then(() => "still running")]);
    expect(code, log.join("")).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(15_000);
    await waitUntil("the dead letters", () => deadLetters.size === CASCADES, 10_000, null, log);
    expect([...deadLetters.keys()].sort()).toEqual([...alertsTopic].sort());
    expect(new Set(deadLetters.values())).toEqual(new Set(["shutdown"]));
    expect(await committedToEnd(spans, group)).toBe(true);
  });
});
