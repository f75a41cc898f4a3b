import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { Alerter } from "../../src/core/alerts/alerter.js";
import type { Alert } from "../../src/core/alerts/alert.js";
import { compileRules, SEED_ALERT_RULES } from "../../src/core/rules/rules.js";
import type { AlertSink } from "../../src/sinks/types.js";
import { systemClock } from "../../src/platform/clock.js";
import { AlertDispatcher } from "../../src/sinks/dispatcher.js";
import { createSinks } from "../../src/sinks/factory.js";
import { InMemoryAlertSink, InMemoryDeadLetterWriter } from "../../src/sinks/in-memory.js";
import { silentLogger } from "../../src/sinks/types.js";
import { scoredTrace } from "../unit/core/rules/scored.js";
import { sampleAlerts } from "../unit/sinks/sample-alerts.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const TOLERANCE_S = 300;

/**
 * Receiver-side verification written from the Standard Webhooks specification, independently of
 * src/sinks: key = base64 after "whsec_", signed content "id.timestamp.body", HMAC-SHA256, any of
 * the space-separated "v1,<base64>" entries must match in constant time, timestamp within 5 min.
 */
function verifyStandardWebhook(
  secret: string,
  headers: IncomingHttpHeaders,
  body: string,
  nowS: number,
): boolean {
  const id = headers["webhook-id"];
  const ts = headers["webhook-timestamp"];
  const sig = headers["webhook-signature"];
  if (typeof id !== "string" || typeof ts !== "string" || typeof sig !== "string") return false;
  if (!/^\d+$/.test(ts) || Math.abs(nowS - Number(ts)) > TOLERANCE_S) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest();
  return sig.split(" ").some((entry) => {
    const [version, b64] = entry.split(",", 2);
    if (version !== "v1" || b64 === undefined) return false;
    const given = Buffer.from(b64, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** Deterministic PRNG (mulberry32) so the receiver's failures are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Receiver {
  url: string;
  received: Map<string, number>;
  badSignatures: number;
  idMismatches: number;
  requests: number;
  failed: number;
  hung: number;
  server: Server;
}

async function flakyReceiver(seed: number, hangMs: number): Promise<Receiver> {
  const random = prng(seed);
  const r: Omit<Receiver, "url" | "server"> = {
    received: new Map(),
    badSignatures: 0,
    idMismatches: 0,
    requests: 0,
    failed: 0,
    hung: 0,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      r.requests += 1;
      const body = Buffer.concat(chunks).toString("utf8");
      if (!verifyStandardWebhook(SECRET, req.headers, body, Math.floor(Date.now() / 1000)))
        r.badSignatures += 1;
      const alert = JSON.parse(body) as Alert;
      if (alert.id !== req.headers["webhook-id"]) r.idMismatches += 1;
      const roll = random();
      if (roll < 0.1) {
        r.hung += 1;
        // Hang past the sender's timeout; answering success late must not count as delivered.
        const timer = setTimeout(() => res.writeHead(204).end(), hangMs);
        res.on("close", () => clearTimeout(timer));
        return;
      }
      if (roll < 0.5) {
        r.failed += 1;
        res.writeHead(roll < 0.3 ? 500 : 503).end("try again");
        return;
      }
      r.received.set(alert.id, (r.received.get(alert.id) ?? 0) + 1);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(r, { url: `http://127.0.0.1:${port}/hooks/tracewatch`, server });
}

function flakyWebhook(url: string, dead: InMemoryDeadLetterWriter, timeoutMs: number): AlertSink {
  const [sink] = createSinks(
    [
      {
        type: "webhook",
        name: "flaky",
        url,
        secret: "${HOOK_SECRET}",
        timeout: timeoutMs,
        retries: 30,
        concurrency: 8,
        backoff_initial: 20,
        backoff_max: 400,
        breaker_failures: 8,
        breaker_open: 150,
        max_delivery_time: 60_000,
      },
    ],
    { clock: systemClock, logger: silentLogger, deadLetters: dead, env: { HOOK_SECRET: SECRET } },
  );
  return sink!;
}

/**
 * Scores `count` traces (1 in 100 a latency spike) in batches of 500, yielding to the event loop
 * between batches as the Kafka consumer does, dispatching every alert. Returns traces per second.
 */
async function scoringRate(dispatcher: AlertDispatcher, count: number, offset: number): Promise<number> {
  const alerter = new Alerter({
    detector: "d",
    rules: compileRules(SEED_ALERT_RULES, 0.95),
    clock: systemClock,
  });
  const traces = Array.from({ length: count }, (_, i) =>
    scoredTrace(
      { traceId: (offset + i).toString(16).padStart(32, "0"), total_duration: i % 100 === 0 ? 5_000 : 100 },
      { anomaly_score: i % 100 === 0 ? 0.99 : 0.3, p99_baseline: 200 },
    ),
  );
  const started = performance.now();
  for (let i = 0; i < traces.length; i += 1) {
    for (const d of alerter.process(traces[i]!)) if (d.kind === "emit") dispatcher.dispatch(d.alert);
    if (i % 500 === 499) await nextTurn();
  }
  return count / ((performance.now() - started) / 1000);
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

describe("webhook sink against a flaky receiver", () => {
  it("delivers every alert at least once with the same id and a valid signature, without blocking enqueue", async () => {
    const TIMEOUT_MS = 250;
    const receiver = await flakyReceiver(42, TIMEOUT_MS * 4);
    servers.push(receiver.server);
    const dead = new InMemoryDeadLetterWriter();
    const webhook = flakyWebhook(receiver.url, dead, TIMEOUT_MS);
    const memory = new InMemoryAlertSink();
    const dispatcher = new AlertDispatcher([webhook, memory]);
    const alerts = sampleAlerts(200);

    const started = performance.now();
    let slowest = 0;
    for (const alert of alerts) {
      const t0 = performance.now();
      dispatcher.dispatch(alert);
      slowest = Math.max(slowest, performance.now() - t0);
    }
    const enqueueMs = performance.now() - started;
    // The other sink has every alert before the webhook delivered any: it was not delayed.
    expect(memory.alerts).toHaveLength(200);
    // Blocking on the receiver would take at least one timeout (250 ms) per hung request.
    expect(enqueueMs).toBeLessThan(100);

    expect(await dispatcher.flush(60_000)).toBe(true);
    expect(dead.letters).toEqual([]);
    expect([...receiver.received.keys()].sort()).toEqual(alerts.map((a) => a.id).sort());
    expect(receiver.badSignatures).toBe(0);
    expect(receiver.idMismatches).toBe(0);
    expect(receiver.failed).toBeGreaterThan(40);
    expect(receiver.hung).toBeGreaterThan(5);
    console.info(
      `webhook: 200 alerts enqueued in ${enqueueMs.toFixed(2)} ms (slowest ${slowest.toFixed(3)} ms); ` +
        `${receiver.requests} requests, ${receiver.failed} failed, ${receiver.hung} hung`,
    );
    await dispatcher.shutdown();
  });

  it("scores as fast with a failing, hanging webhook attached as with a healthy one", async () => {
    const flaky = await flakyReceiver(7, 1_000);
    const healthy = await flakyReceiver(7, 1_000);
    servers.push(flaky.server, healthy.server);
    healthy.server.removeAllListeners("request");
    healthy.server.on("request", (req, res) => req.resume().on("end", () => res.writeHead(204).end()));
    const dead = new InMemoryDeadLetterWriter();
    const run = async (sinks: AlertSink[], offset: number): Promise<number> => {
      const dispatcher = new AlertDispatcher(sinks);
      const rate = await scoringRate(dispatcher, 20_000, offset);
      expect(await dispatcher.flush(60_000)).toBe(true);
      await dispatcher.shutdown();
      return rate;
    };
    await run([flakyWebhook(healthy.url, dead, 250)], 0); // warm-up: JIT and HTTP client
    const alone = await run([new InMemoryAlertSink()], 1_000_000);
    const withHealthy = await run([flakyWebhook(healthy.url, dead, 250)], 2_000_000);
    const withFlaky = await run([flakyWebhook(flaky.url, dead, 250)], 3_000_000);
    console.info(
      `scoring traces/s: ${alone.toFixed(0)} in-memory sink only, ${withHealthy.toFixed(0)} with a healthy ` +
        `webhook, ${withFlaky.toFixed(0)} with the failing/hanging one (1 alert per 100 traces)`,
    );
    expect(withFlaky / withHealthy).toBeGreaterThan(0.5);
    expect(flaky.received.size).toBe(200);
    expect(dead.letters).toEqual([]);
  });
});
