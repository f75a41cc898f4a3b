import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Consumer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Incident } from "../../src/core/incidents/incident.js";
import { encodeOtlpProto } from "../../src/otlp/index.js";
import { REQUEST_TYPES } from "../../src/sim/requests.js";
import { Simulator, type SimulatedTrace } from "../../src/sim/simulator.js";
import type { PostableAlert } from "../../src/sinks/alertmanager.js";
import type { IncidentPayload } from "../../src/sinks/webhook.js";
import { alertmanagerSemanticProblems, postableAlertsValidator } from "../helpers/alertmanager-schema.js";
import { createTestKafka, createTestTopic, deleteTopics, kafkaBrokers } from "../helpers/kafka.js";
import { runCli, until, type CliChild } from "../helpers/serve-child.js";

const SECRET = `whsec_${randomBytes(24).toString("base64")}`;
/** Seed 5 delays every call into redis by 1.0-1.6 s from 3 s to 7 s (network delay). */
const SEED = 5;

/** Traffic of 9 s of event time at 20 traces/s, network delay injected into one service. */
function traffic(): SimulatedTrace[] {
  const sim = new Simulator({
    seed: SEED,
    startTimeMs: Date.now(),
    ratePerSec: 20,
    anomalies: ["latency"],
    requestTypes: REQUEST_TYPES.filter((r) => r.name !== "report_export"),
    schedule: {
      warmupMs: 3_000,
      periodMs: 3_600_000,
      windows: [{ kind: "latency_network", offsetMs: 0, durationMs: 4_000, fraction: 1 }],
    },
  });
  const traces: SimulatedTrace[] = [];
  for (let t = sim.next(); t.offsetMs < 9_000; t = sim.next()) traces.push(t);
  return traces;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => resolve(body));
  });

function validSignature(headers: NodeJS.Dict<string | string[]>, body: string): boolean {
  const key = Buffer.from(SECRET.replace(/^whsec_/, ""), "base64");
  const signed = `${String(headers["webhook-id"])}.${String(headers["webhook-timestamp"])}.${body}`;
  const expected = createHmac("sha256", key).update(signed).digest();
  return String(headers["webhook-signature"])
    .split(" ")
    .some((s) => {
      const given = Buffer.from(s.slice(3), "base64");
      return s.startsWith("v1,") && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

/** A webhook receiver and a fake Alertmanager on 127.0.0.1, recording what they were sent. */
class Receivers {
  readonly events: IncidentPayload[] = [];
  readonly alertPosts: PostableAlert[][] = [];
  readonly problems: string[] = [];
  private readonly validate = postableAlertsValidator();
  private readonly server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      if (req.url === "/hook") {
        if (!validSignature(req.headers, body)) this.problems.push("bad webhook signature");
        const payload = JSON.parse(body) as IncidentPayload;
        if (req.headers["webhook-id"] !== payload.id) this.problems.push("webhook-id is not the payload id");
        this.events.push(payload);
      } else if (req.url === "/am/api/v2/alerts") {
        const alerts = JSON.parse(body) as PostableAlert[];
        if (!this.validate(alerts)) this.problems.push(JSON.stringify(this.validate.errors));
        this.problems.push(...alerts.flatMap(alertmanagerSemanticProblems));
        this.alertPosts.push(alerts);
      } else this.problems.push(`unexpected ${req.method} ${req.url}`);
      res.writeHead(200).end();
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe("incidents of tracewatch serve on a real broker", () => {
  const topics: string[] = [];
  const children: CliChild[] = [];
  const alertIds = new Set<string>();
  const incidentRecords: Incident[] = [];
  let reader: Consumer;
  let receivers: Receivers;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tw-incidents-"));
    receivers = new Receivers();
  });

  afterAll(async () => {
    for (const c of children) await c.stop(5_000);
    await reader?.disconnect();
    await receivers?.close();
    await deleteTopics(topics);
    await rm(dir, { recursive: true, force: true });
  });

  it("groups a network delay's alerts into one incident: one opened and one resolved on the webhook and Alertmanager, its state on the incidents topic, its id kept across a restart", async () => {
    const base = await receivers.listen();
    const spans = await createTestTopic("incidents-spans", 3);
    const alerts = await createTestTopic("incidents-alerts", 1);
    const features = await createTestTopic("incidents-features", 1);
    const dlq = await createTestTopic("incidents-dlq", 1);
    const compact = { configEntries: [{ name: "cleanup.policy", value: "compact" }] };
    const models = await createTestTopic("incidents-models", 1, compact);
    const incidents = await createTestTopic("incidents-state", 1, compact);
    topics.push(spans, alerts, features, dlq, models, incidents);
    const config = join(dir, "serve.yaml");
    await writeFile(
      config,
      `apiVersion: aiops/v1
kind: TraceAnomalyDetector
metadata: { name: incidents-test }
spec:
  training: { min_samples: 10000, retrain_interval: 1h }
  alerts:
    - { type: slow_request, condition: "total_duration > 1000", severity: high, cooldown: 0s }
  assembly: { decision_wait: 1s, root_grace: 200ms }
  sources: { kafka: { topic: ${spans}, group_id: ${spans}-group, session_timeout: 6s, heartbeat_interval: 1s } }
  topics: { alerts: ${alerts}, features: ${features}, models: ${models}, dlq: ${dlq}, incidents: ${incidents} }
  incidents: { group_window: 60s, quiet_period: 40s, resend_interval: 2s }
  api: { port: 0 }
  model_store: { dir: ${join(dir, "models")} }
  sinks:
    - { type: kafka }
    - { type: webhook, name: hook, url: "${base}/hook", secret: "\${TRACEWATCH_WEBHOOK_SECRET}" }
    - { type: alertmanager, name: am, url: "${base}/am", resolve_after: 30s }
`,
    );
    const kafka = createTestKafka("incidents-reader");
    reader = kafka.consumer({ groupId: `${alerts}-reader` });
    await reader.connect();
    await reader.subscribe({ topics: [alerts, incidents], fromBeginning: true });
    await reader.run({
      eachMessage: async ({ topic, message }) => {
        if (topic === alerts) alertIds.add(message.key!.toString());
        else incidentRecords.push(JSON.parse(message.value!.toString()) as Incident);
      },
    });

    const all = traffic();
    const delayed = all.filter((t) => t.label.label === "latency_spike");
    expect(new Set(delayed.map((t) => String(t.label.injected.service)))).toEqual(new Set(["redis"]));
    // First half of the delay before the restart, the rest after it.
    const cut = all.findIndex((t) => t.offsetMs >= 5_000);
    const producer = kafka.producer();
    await producer.connect();
    const send = (traces: SimulatedTrace[]) =>
      producer.send({
        topic: spans,
        acks: -1,
        messages: traces.map((t) => ({ key: t.traceId, value: Buffer.from(encodeOtlpProto([...t.spans])) })),
      });
    const env = {
      KAFKA_BROKERS: kafkaBrokers().join(","),
      TRACEWATCH_WEBHOOK_SECRET: SECRET,
      TRACEWATCH_LOG_LEVEL: "warn",
    };
    const firstDelayed = delayed.filter((t) => all.indexOf(t) < cut).length;
    expect(firstDelayed).toBeGreaterThan(5);

    await send(all.slice(0, cut));
    const first = runCli(["serve", "--config", config], env);
    children.push(first);
    await until("the first half's alerts", 60_000, () =>
      alertIds.size >= firstDelayed ? true : first.child.exitCode !== null ? false : undefined,
    );
    await until("the incident opened at the webhook", 20_000, () =>
      receivers.events.some((e) => e.event === "incident.opened") ? true : undefined,
    );
    await first.stop();
    expect(await first.exited(), first.stderr()).toBe(0);
    const opened = receivers.events.find((e) => e.event === "incident.opened")!.incident;
    await until("the incident's state on the incidents topic", 10_000, () =>
      incidentRecords.some((i) => i.id === opened.id && i.traceCount === firstDelayed) ? true : undefined,
    );

    // Restarted well within the quiet period (40 s), the incident is continued, not resolved.
    await send(all.slice(cut));
    const second = runCli(["serve", "--config", config], env);
    children.push(second);
    await until("every delayed trace's alert", 60_000, () =>
      alertIds.size >= delayed.length ? true : undefined,
    );
    await until("the incident resolved at the webhook", 60_000, () =>
      receivers.events.some((e) => e.event === "incident.resolved") ? true : undefined,
    );
    await until("the resolution at Alertmanager", 10_000, () =>
      receivers.alertPosts.flat().some((a) => Date.parse(a.endsAt) <= Date.now()) ? true : undefined,
    );
    await second.stop();
    expect(await second.exited(), second.stderr()).toBe(0);

    expect(receivers.problems).toEqual([]);
    // Every per-trace alert is on the alerts topic: one per delayed trace.
    expect(alertIds.size).toBe(delayed.length);
    // The webhook: one incident (not one notification per trace), the same id after the restart.
    const seen = JSON.stringify(
      receivers.events.map((e) => [e.event, e.incident.id, e.incident.traceCount, e.incident.lastSeenAt]),
    );
    const ids = new Set(receivers.events.map((e) => e.incident.id));
    expect(ids, seen).toEqual(new Set([opened.id]));
    expect(receivers.events.filter((e) => e.event === "incident.opened")).toHaveLength(1);
    expect(receivers.events.length).toBeLessThan(delayed.length / 2);
    const resolved = receivers.events.find((e) => e.event === "incident.resolved")!.incident;
    expect(resolved).toMatchObject({ status: "resolved", service: "redis", traceCount: delayed.length });
    expect(resolved.summary).toMatch(/^redis: .* on \d+ traces from \d\d:\d\d to \d\d:\d\d UTC \(resolved\)/);
    expect(resolved.description).toContain(`${delayed.length} traces`);
    // Alertmanager: one alert (one label set) for the incident, startsAt its opening, resolved.
    const posted = receivers.alertPosts.flat();
    expect(new Set(posted.map((a) => JSON.stringify(a.labels))).size).toBe(1);
    expect(new Set(posted.map((a) => a.annotations.incident_id))).toEqual(new Set([opened.id]));
    expect(new Set(posted.map((a) => a.startsAt))).toEqual(new Set([opened.openedAt]));
    expect(posted.at(-1)!.endsAt).toBe(resolved.resolvedAt);
    // The incidents topic's latest record of the incident is its resolved state.
    await until("the resolved state on the incidents topic", 10_000, () =>
      incidentRecords.at(-1)?.status === "resolved" ? true : undefined,
    );
    expect(new Set(incidentRecords.map((i) => i.id))).toEqual(new Set([opened.id]));
    expect(incidentRecords.at(-1)).toMatchObject({ id: opened.id, traceCount: delayed.length });
  }, 240_000);
});
