import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/core/clock.js";
import { isTracewatchError } from "../../../src/errors.js";
import { createSinks, type SinkConfig, type SinkFactoryDeps } from "../../../src/sinks/factory.js";
import { InMemoryDeadLetterWriter } from "../../../src/sinks/in-memory.js";
import { Secret } from "../../../src/sinks/secret.js";
import { signingKey, signWebhook } from "../../../src/sinks/standard-webhooks.js";
import { silentLogger } from "../../../src/sinks/types.js";
import { sampleAlerts } from "./sample-alerts.js";

const deps: SinkFactoryDeps = {
  clock: new ManualClock(),
  logger: silentLogger,
  deadLetters: new InMemoryDeadLetterWriter(),
  env: { HOOK_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" },
};

function problems(configs: unknown[], d: SinkFactoryDeps = deps): string[] {
  try {
    createSinks(configs as SinkConfig[], d);
  } catch (err) {
    if (isTracewatchError(err, "TW_CONFIG_INVALID")) return err.details?.problems as string[];
    throw err;
  }
  return [];
}

describe("createSinks", () => {
  it("builds named queued sinks, defaulting the name to the type", () => {
    const sinks = createSinks(
      [
        { type: "log" },
        {
          type: "webhook",
          name: "ops",
          url: "https://hooks.example/tw",
          secret: "${HOOK_SECRET}",
          timeout: 2_000,
          retries: 3,
        },
        { type: "alertmanager", url: "http://am:9093", generator_url: "http://jaeger/trace/{traceId}" },
        { type: "kafka", topic: "alerts" },
      ],
      { ...deps, kafkaProducer: { send: () => Promise.resolve([]) } },
    );
    expect(sinks.map((s) => [s.name, s.type])).toEqual([
      ["log", "log"],
      ["ops", "webhook"],
      ["alertmanager", "alertmanager"],
      ["kafka", "kafka"],
    ]);
  });

  it("writes one structured log line per alert through the injected logger", async () => {
    const lines: [object, string][] = [];
    const logger = { ...silentLogger, info: (o: object, m: string) => lines.push([o, m]) };
    const [sink] = createSinks([{ type: "log", level: "info" }], { ...deps, logger });
    const [alert] = sampleAlerts(1);
    sink!.enqueue(alert!);
    await sink!.flush(1_000);
    expect(lines).toEqual([
      [
        expect.objectContaining({ alertId: alert!.id, type: "latency_spike", traceId: alert!.traceId }),
        "alert",
      ],
    ]);
  });

  it("takes secrets as written when given no environment (a loaded config's are resolved already)", () => {
    const { env: _unused, ...withoutEnv } = deps;
    const literal = "$" + "{LITERAL}";
    const found = problems([{ type: "webhook", url: "http://h/x", secret: literal }], withoutEnv);
    // Not expanded (no "variable is not set"): checked as written, and it is no whsec_ secret.
    expect(found).toEqual([
      expect.stringContaining("spec.sinks[0].secret: webhook secret does not start with whsec_"),
    ]);
  });

  it("signs with a whsec_ secret from the environment", async () => {
    const sent: { headers: Headers; body: string }[] = [];
    const fetchStub = ((_url: string, init: RequestInit) => {
      sent.push({ headers: new Headers(init.headers), body: String(init.body) });
      return Promise.resolve(new Response(null, { status: 204 }));
    }) as unknown as typeof fetch;
    const [sink] = createSinks([{ type: "webhook", url: "http://h/x", secret: "${HOOK_SECRET}" }], {
      ...deps,
      fetch: fetchStub,
    });
    const [alert] = sampleAlerts(1);
    sink!.enqueue(alert!);
    expect(await sink!.flush(1_000)).toBe(true);
    const [request] = sent;
    const ts = Number(request!.headers.get("webhook-timestamp"));
    const key = signingKey(new Secret(deps.env!.HOOK_SECRET!));
    expect(request!.headers.get("webhook-signature")).toBe(
      signWebhook(alert!.id, ts, request!.body, key)["webhook-signature"],
    );
  });

  const bad: [string, unknown[], string][] = [
    ["an unknown type", [{ type: "pagerduty" }], 'spec.sinks[0].type: unknown sink type "pagerduty"'],
    ["an empty name", [{ type: "log", name: " " }], "spec.sinks[0].name: must not be empty"],
    [
      "a duplicate name",
      [{ type: "log" }, { type: "log" }],
      'spec.sinks[1].name: duplicate sink name "log" (also spec.sinks[0])',
    ],
    [
      "a webhook without a URL scheme",
      [{ type: "webhook", url: "hooks.example" }],
      "spec.sinks[0].url: must be an http",
    ],
    [
      "an unset secret variable",
      [{ type: "webhook", url: "http://h", secret: "${NOPE}" }],
      "spec.sinks[0].secret: environment variable NOPE is not set",
    ],
    [
      "a malformed whsec_ secret",
      [{ type: "webhook", url: "http://h", secret: "whsec_!!" }],
      "spec.sinks[0].secret: webhook secret is not whsec_ and base64",
    ],
    ["a kafka sink without Kafka", [{ type: "kafka" }], "spec.sinks[0].type: a kafka sink needs Kafka"],
    [
      "a bad generator URL",
      [{ type: "alertmanager", url: "http://am", generator_url: "jaeger/{traceId}" }],
      "spec.sinks[0].generator_url",
    ],
  ];
  it.each(bad)("rejects %s with the key path", (_name, configs, message) => {
    const found = problems(configs);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(message);
  });

  it("lists every problem at once and never prints a secret", () => {
    let message = "";
    try {
      createSinks(
        [
          { type: "webhook", url: "ftp://x", secret: "whsec_shh!" },
          { type: "webhook", name: "b", url: "http://x", secret: "whsec_shh!" },
          { type: "nope" } as unknown as SinkConfig,
        ],
        deps,
      );
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split("\n").slice(1)).toHaveLength(3);
    expect(message).not.toContain("shh");
  });
});
