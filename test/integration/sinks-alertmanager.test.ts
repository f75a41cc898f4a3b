import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/platform/clock.js";
import { createSinks } from "../../src/sinks/factory.js";
import { InMemoryDeadLetterWriter } from "../../src/sinks/in-memory.js";
import { silentLogger } from "../../src/sinks/types.js";
import { sampleAlerts } from "../unit/sinks/sample-alerts.js";

/**
 * `postableAlerts` of the Alertmanager v2 API, translated from Swagger 2.0 to JSON Schema
 * (definitions postableAlerts, postableAlert, alert, labelSet) as published in
 * prometheus/alertmanager api/v2/openapi.yaml at commit 07d03b6c2c7e747335198f07d382060721dd2831
 * (info.version 0.0.1, the v2 API of Alertmanager 0.2x).
 */
const POSTABLE_ALERTS = {
  $id: "alertmanager-v2-postableAlerts",
  type: "array",
  items: { $ref: "#/definitions/postableAlert" },
  definitions: {
    labelSet: { type: "object", additionalProperties: { type: "string" } },
    alert: {
      type: "object",
      properties: {
        labels: { $ref: "#/definitions/labelSet" },
        generatorURL: { type: "string", format: "uri" },
      },
      required: ["labels"],
    },
    postableAlert: {
      allOf: [
        {
          type: "object",
          properties: {
            startsAt: { type: "string", format: "date-time" },
            endsAt: { type: "string", format: "date-time" },
            annotations: { $ref: "#/definitions/labelSet" },
          },
        },
        { $ref: "#/definitions/alert" },
      ],
    },
  },
};

/** What Alertmanager's POST /api/v2/alerts handler checks beyond the schema (alert validation). */
function semanticProblems(alert: {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
}): string[] {
  const problems: string[] = [];
  const name = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
  if (Object.keys(alert.labels).length === 0) problems.push("at least one label pair required");
  for (const [k, v] of Object.entries(alert.labels))
    if (!name.test(k) || v === "") problems.push(`bad label ${k}`);
  for (const k of Object.keys(alert.annotations ?? {}))
    if (!name.test(k)) problems.push(`bad annotation ${k}`);
  if (alert.startsAt && alert.endsAt && Date.parse(alert.endsAt) < Date.parse(alert.startsAt))
    problems.push("start time must be before end time");
  return problems;
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const validate = ajv.compile(POSTABLE_ALERTS);

interface FakeAlertmanager {
  url: string;
  server: Server;
  posts: unknown[];
  invalid: string[];
  paths: Set<string>;
}

async function fakeAlertmanager(): Promise<FakeAlertmanager> {
  const fake: Omit<FakeAlertmanager, "url" | "server"> = { posts: [], invalid: [], paths: new Set() };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      fake.paths.add(`${req.method} ${req.url} ${req.headers["content-type"]}`);
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      if (!validate(body)) {
        fake.invalid.push(ajv.errorsText(validate.errors));
        res.writeHead(400).end("invalid");
        return;
      }
      const problems = (body as Parameters<typeof semanticProblems>[0][]).flatMap(semanticProblems);
      if (problems.length > 0) {
        fake.invalid.push(problems.join("; "));
        res.writeHead(400).end(problems.join("; "));
        return;
      }
      fake.posts.push(...(body as unknown[]));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, { url: `http://127.0.0.1:${port}/`, server });
}

let am: FakeAlertmanager | undefined;
afterAll(async () => {
  am?.server.closeAllConnections();
  await new Promise((resolve) => am?.server.close(resolve));
});

describe("alertmanager sink", () => {
  it("posts alerts that validate against the Alertmanager v2 postableAlerts schema", async () => {
    am = await fakeAlertmanager();
    const dead = new InMemoryDeadLetterWriter();
    const [sink] = createSinks(
      [
        {
          type: "alertmanager",
          url: am.url,
          generator_url: "http://tempo.local/trace/{traceId}",
          labels: { env: "test" },
        },
      ],
      { clock: systemClock, logger: silentLogger, deadLetters: dead },
    );
    const alerts = sampleAlerts(25);
    for (const a of alerts) sink!.enqueue(a);
    expect(await sink!.flush(10_000)).toBe(true);
    expect(am.invalid).toEqual([]);
    expect(dead.letters).toEqual([]);
    expect([...am.paths]).toEqual(["POST /api/v2/alerts application/json"]);
    expect(am.posts).toHaveLength(25);
    expect(am.posts[0]).toMatchObject({
      labels: {
        alertname: "latency_spike",
        severity: "high",
        service: "frontend",
        detector: "latency-anomalies",
        env: "test",
      },
      annotations: { alert_id: alerts[0]!.id, trace_id: alerts[0]!.traceId },
      startsAt: alerts[0]!.detectedAt,
      generatorURL: `http://tempo.local/trace/${alerts[0]!.traceId}`,
    });
    await sink!.shutdown();
  });

  it("the fake receiver refuses payloads Alertmanager would refuse", () => {
    const cases: unknown[] = [
      [{ annotations: {} }],
      [{ labels: { a: 1 } }],
      [{ labels: { a: "b" }, startsAt: "yesterday" }],
      [{ labels: { a: "b" }, generatorURL: "not a uri" }],
      { labels: { a: "b" } },
    ];
    for (const c of cases) expect(validate(c), JSON.stringify(c)).toBe(false);
    expect(semanticProblems({ labels: { "bad-name": "x" } })).toHaveLength(1);
    expect(
      semanticProblems({
        labels: { a: "b" },
        startsAt: "2024-01-02T00:00:00Z",
        endsAt: "2024-01-01T00:00:00Z",
      }),
    ).toHaveLength(1);
  });
});
