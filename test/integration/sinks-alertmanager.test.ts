import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/platform/clock.js";
import { createSinks } from "../../src/sinks/factory.js";
import { InMemoryDeadLetterWriter } from "../../src/sinks/in-memory.js";
import { silentLogger } from "../../src/sinks/types.js";
import { alertmanagerSemanticProblems, postableAlertsValidator } from "../helpers/alertmanager-schema.js";
import { sampleAlerts } from "../unit/sinks/sample-alerts.js";

// Alertmanager's own postableAlerts schema (the vendored v2 OpenAPI document).
const validate = postableAlertsValidator();

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
        fake.invalid.push(JSON.stringify(validate.errors));
        res.writeHead(400).end("invalid");
        return;
      }
      const problems = (body as Parameters<typeof alertmanagerSemanticProblems>[0][]).flatMap((alert) =>
        alertmanagerSemanticProblems(alert),
      );
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
    expect(alertmanagerSemanticProblems({ labels: { "bad-name": "x" } })).toHaveLength(1);
    expect(
      alertmanagerSemanticProblems({
        labels: { a: "b" },
        startsAt: "2024-01-02T00:00:00Z",
        endsAt: "2024-01-01T00:00:00Z",
      }),
    ).toHaveLength(1);
  });
});
