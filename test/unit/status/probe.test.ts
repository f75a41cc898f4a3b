import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/core/clock.js";
import { probeStatus } from "../../../src/status/probe.js";

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** A serve stand-in on 127.0.0.1 answering /api/v1/incidents with `incidents`; every request is kept. */
async function fakeServe(
  incidents: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    const path = (req.url ?? "").split("?")[0];
    if (path === "/api/v1/incidents") return incidents(req, res);
    if (path === "/metrics") return res.end("tracewatch_traces_scored_total 0\n");
    res.setHeader("content-type", "application/json");
    if (path === "/readyz") return res.end(JSON.stringify({ status: "ready" }));
    if (path === "/api/v1/models") return res.end(JSON.stringify({ status: "loaded", model: null }));
    if (path === "/api/v1/alerts") return res.end(JSON.stringify({ alerts: [], next: null }));
    res.statusCode = 404;
    res.end("{}");
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests };
}

const probe = (url: string) =>
  probeStatus({ url, token: "t0k", sampleMs: 0, clock: new ManualClock(NOW), sleep: async () => {} });

const incident = (n: number) => ({
  id: n.toString(16).padStart(32, "0"),
  type: "latency_spike",
  service: `svc-${n}`,
  status: "open",
  openedAt: new Date(NOW - n * 1000).toISOString(),
});

describe("probeStatus: open incidents", () => {
  it("asks for the open ones with the token, at the API's largest page", async () => {
    const serve = await fakeServe((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ count: 2, incidents: [incident(1), incident(2)] }));
    });
    const inputs = await probe(serve.url);
    expect(inputs.openIncidents).toEqual([incident(1), incident(2)]);
    expect(inputs.incidentsTruncated).toBe(false);
    expect(inputs.problems).toEqual([]);
    const asked = serve.requests.find((r) => r.url?.startsWith("/api/v1/incidents"));
    expect(asked?.url).toBe("/api/v1/incidents?status=open&limit=1000");
    expect(asked?.headers.authorization).toBe("Bearer t0k");
  });

  it("says the list may be cut when the answer fills the page", async () => {
    const full = Array.from({ length: 1000 }, (_, k) => incident(k + 1));
    const serve = await fakeServe((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ count: full.length, incidents: full }));
    });
    const inputs = await probe(serve.url);
    expect(inputs.openIncidents).toHaveLength(1000);
    expect(inputs.incidentsTruncated).toBe(true);
  });

  it.each([
    { name: "an HTTP error", status: 500, body: "{}", problem: "HTTP 500" },
    { name: "a wrong token", status: 401, body: "{}", problem: "unauthorized (give --token" },
    { name: "a body that is not JSON", status: 200, body: "<html>", problem: "JSON" },
  ])("records $name as a problem and leaves the incidents unknown", async ({ status, body, problem }) => {
    const serve = await fakeServe((_req, res) => {
      res.statusCode = status;
      res.end(body);
    });
    const inputs = await probe(serve.url);
    expect(inputs.openIncidents).toBeNull();
    expect(inputs.incidentsTruncated).toBe(false);
    expect(inputs.problems).toHaveLength(1);
    expect(inputs.problems[0]).toContain("/api/v1/incidents?status=open&limit=1000: ");
    expect(inputs.problems[0]).toContain(problem);
  });
});
