import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { ManualClock } from "../../../src/core/clock.js";
import { isTracewatchError } from "../../../src/errors.js";
import { createSinks, type SinkConfig } from "../../../src/sinks/factory.js";
import { InMemoryDeadLetterWriter } from "../../../src/sinks/in-memory.js";
import { deadLetterHeaders } from "../../../src/sinks/kafka.js";
import { DeliveryQueue } from "../../../src/sinks/queue.js";
import { safeUrl, withoutUrlSecrets } from "../../../src/sinks/safe-url.js";
import type { SinkLogger } from "../../../src/sinks/types.js";
import { WebhookDeliverer } from "../../../src/sinks/webhook.js";
import { sampleAlerts } from "./sample-alerts.js";

const PASSWORD = "p4ssw0rd-in-url";
const QUERY_KEY = "query-key-0123456789";
const SECRET = `whsec_${randomBytes(32).toString("base64")}`;

/** Every log call, as JSON text. */
function capturingLogger(): { logger: SinkLogger; text: () => string } {
  const lines: string[] = [];
  const log = (level: string) => (obj: object, msg: string) =>
    void lines.push(JSON.stringify({ level, obj, msg }));
  const logger = {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
  } as SinkLogger;
  return { logger, text: () => lines.join("\n") };
}

function problemsOf(configs: unknown[], env: Record<string, string> = {}): string[] {
  try {
    createSinks(configs as SinkConfig[], {
      clock: new ManualClock(),
      logger: capturingLogger().logger,
      deadLetters: new InMemoryDeadLetterWriter(),
      env,
    });
  } catch (err) {
    if (isTracewatchError(err, "TW_CONFIG_INVALID")) return err.details?.problems as string[];
    throw err;
  }
  return [];
}

/**
 * Receiver-side check written from the Standard Webhooks specification, independently of
 * src/sinks: key = base64 after "whsec_", HMAC-SHA256 of "id.timestamp.body", "v1,<base64>".
 */
function verifies(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const [id, ts, sig] = [headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"]];
  if (typeof id !== "string" || typeof ts !== "string" || typeof sig !== "string") return false;
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest();
  return sig.split(" ").some((entry) => {
    const [version, b64] = entry.split(",", 2);
    const given = Buffer.from(b64 ?? "", "base64");
    return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function recordingServer(): Promise<{
  url: string;
  requests: { headers: IncomingHttpHeaders; body: string }[];
}> {
  const requests: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(204).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

describe("URLs in logs, errors and dead letters", () => {
  it.each([
    ["https://user:pw@hooks.example:8443/a/b?key=k#frag", "https://hooks.example:8443/a/b"],
    ["http://127.0.0.1:9/x?token=t", "http://127.0.0.1:9/x"],
    ["not a url", "[invalid URL]"],
  ])("safeUrl(%s) keeps scheme, host, port and path only", (url, safe) => {
    expect(safeUrl(url)).toBe(safe);
  });

  it("strips credentials from every URL inside an error text", () => {
    const text = "Request cannot be constructed from a URL that includes credentials: http://u:p@h/x?key=k";
    expect(withoutUrlSecrets(text)).toBe(
      "Request cannot be constructed from a URL that includes credentials: http://h/x",
    );
  });

  it("logs and dead-letters no user info or query string after failed deliveries", async () => {
    const { logger, text } = capturingLogger();
    const dead = new InMemoryDeadLetterWriter();
    const url = `http://alerts:${PASSWORD}@127.0.0.1:9/hook?key=${QUERY_KEY}`;
    const queue = new DeliveryQueue({
      name: "hook",
      // Built directly: the factory refuses such a URL at start-up (below).
      deliverer: new WebhookDeliverer({ url, clock: new ManualClock(), timeoutMs: 1_000 }),
      deadLetters: dead,
      clock: new ManualClock(),
      logger,
      maxAttempts: 1,
    });
    for (const alert of sampleAlerts(3)) queue.enqueue(alert);
    await queue.flush(5_000);
    await queue.shutdown();
    expect(dead.letters).toHaveLength(3);
    const everything = [
      text(),
      JSON.stringify(dead.letters),
      ...dead.letters.map((l) => JSON.stringify(deadLetterHeaders(l))),
    ].join("\n");
    expect(everything).toContain("http://127.0.0.1:9/hook");
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(QUERY_KEY);
    expect(everything).not.toContain("key=");
  });
});

describe("HTTP sink credentials at start-up", () => {
  it.each(["webhook", "alertmanager"])("refuses a %s URL with user:password, pointing to auth", (type) => {
    const found = problemsOf([{ type, url: `https://alerts:${PASSWORD}@hooks.example/x` }]);
    expect(found).toEqual([
      expect.stringContaining("spec.sinks[0].url: must not contain a user name or password"),
    ]);
    expect(found[0]).toContain("auth: { type: basic");
    expect(found[0]).not.toContain(PASSWORD);
  });

  it("refuses it when the config is loaded, without echoing the URL", () => {
    let message = "";
    try {
      loadConfig(
        {
          text: `spec:\n  sinks: [{ type: webhook, url: "https://a:${PASSWORD}@h.example/x?key=${QUERY_KEY}" }]\n`,
        },
        {},
      );
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("spec.sinks[0].url: must not contain a user name or password");
    expect(message).not.toContain(PASSWORD);
    expect(message).not.toContain(QUERY_KEY);
  });

  it("accepts auth in a loaded config, secrets from the environment", () => {
    const config = loadConfig(
      {
        text: 'spec:\n  sinks:\n    - { type: webhook, url: "https://h.example/x?key=1", auth: { type: basic, username: tw, password: "${PW}" } }\n    - { type: alertmanager, url: "http://am:9093", auth: { type: bearer, token: "${TOKEN}" } }\n',
      },
      { PW: PASSWORD, TOKEN: "t0ken" },
    );
    expect(config.spec.sinks.map((s) => ("auth" in s ? s.auth?.type : undefined))).toEqual([
      "basic",
      "bearer",
    ]);
  });

  it("refuses auth together with an authorization header, and unset variables", () => {
    const found = problemsOf([
      {
        type: "webhook",
        url: "http://h/x",
        headers: { Authorization: "Bearer x" },
        auth: { type: "bearer", token: "t" },
      },
      { type: "alertmanager", url: "http://am", auth: { type: "basic", username: "u", password: "${NOPE}" } },
    ]);
    expect(found).toEqual([
      "spec.sinks[0].headers: an authorization header and auth cannot both be set",
      "spec.sinks[1].auth.password: environment variable NOPE is not set",
    ]);
  });

  it("sends basic and bearer authorization headers, and signatures a spec verifier accepts", async () => {
    const hook = await recordingServer();
    const am = await recordingServer();
    const sinks = createSinks(
      [
        {
          type: "webhook",
          name: "hook",
          url: `${hook.url}/hook?key=${QUERY_KEY}`,
          secret: "${HOOK_SECRET}",
          auth: { type: "basic", username: "tracewatch", password: "${HOOK_PASSWORD}" },
        },
        { type: "alertmanager", name: "am", url: am.url, auth: { type: "bearer", token: "${AM_TOKEN}" } },
      ],
      {
        clock: new ManualClock(Date.now()),
        logger: capturingLogger().logger,
        deadLetters: new InMemoryDeadLetterWriter(),
        env: { HOOK_SECRET: SECRET, HOOK_PASSWORD: PASSWORD, AM_TOKEN: "am-t0ken" },
      },
    );
    const [alert] = sampleAlerts(1);
    for (const sink of sinks) sink.enqueue(alert!);
    for (const sink of sinks) expect(await sink.flush(5_000)).toBe(true);
    const basic = `Basic ${Buffer.from(`tracewatch:${PASSWORD}`).toString("base64")}`;
    expect(hook.requests.map((r) => r.headers.authorization)).toEqual([basic]);
    expect(verifies(SECRET, hook.requests[0]!.headers, hook.requests[0]!.body)).toBe(true);
    expect(am.requests.map((r) => r.headers.authorization)).toEqual(["Bearer am-t0ken"]);
    await Promise.all(sinks.map((s) => s.shutdown()));
  });
});
