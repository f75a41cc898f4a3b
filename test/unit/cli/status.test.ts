import { mkdir, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runStatus, statusCommand } from "../../../src/cli/status.js";
import { INCIDENT_VERSION, type Incident } from "../../../src/core/incidents/incident.js";
import { detectorConfig } from "../../helpers/detector-config.js";
import { freePortsSpec, startEmbeddedServe } from "../../helpers/embedded-serve.js";
import { captureCli } from "../../helpers/cli-output.js";
import { EMPTY_EVIDENCE } from "../../../src/core/incidents/tracker.js";

const TOKEN = "status-test-token-5d1c";

const CONFIG = (modelDir: string) =>
  detectorConfig(`${freePortsSpec({ token: TOKEN })}  sinks:
    - type: webhook
      url: http://127.0.0.1:9/hook
  model_store:
    dir: ${modelDir}
`);

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** An incident of serve "shop" as incidents.json keeps it, opened and last seen so long ago. */
function savedIncident(
  n: number,
  over: Partial<Incident> & Pick<Incident, "type" | "service" | "status" | "summary">,
  openedMinAgo: number,
  lastMinAgo: number,
): Incident {
  const now = Date.now();
  return {
    version: INCIDENT_VERSION,
    id: n.toString(16).padStart(32, "a"),
    detector: "shop",
    severity: "critical",
    openedAt: new Date(now - openedMinAgo * 60_000).toISOString(),
    lastSeenAt: new Date(now - lastMinAgo * 60_000).toISOString(),
    resolvedAt: null,
    traceCount: 7,
    worstScore: 0.97,
    requestTypes: ["frontend GET /checkout"],
    traceIds: [],
    notifiedTraceCount: 7,
    notifiedSeverity: "critical",
    revision: 3,
    description: "",
    evidence: {
      ...EMPTY_EVIDENCE,
      worstDurationRatio: 4.2,
      p99BaselineMs: 180,
      worstRequestType: "frontend GET /checkout",
    },
    ...over,
  };
}

/**
 * A serve on free ports; `brokenStore` points its model store at a volume that is not there;
 * `incidents` are saved in its model store before it starts (it takes them back).
 */
async function startServe(brokenStore: boolean, incidents: readonly Incident[] = []): Promise<string> {
  const serve = await startEmbeddedServe(
    "tw-status-",
    (root) => CONFIG(join(root, "models")),
    async (root) => {
      if (brokenStore) await symlink(join(root, "volume"), join(root, "models"));
      if (incidents.length > 0) {
        await mkdir(join(root, "models"));
        await writeFile(
          join(root, "models", "incidents.json"),
          JSON.stringify({ version: INCIDENT_VERSION, incidents }),
        );
      }
    },
  );
  cleanup.push(() => serve.stop());
  const { api } = serve;
  // The saved incidents load beside the start: wait until the API lists them.
  for (let known = 0; known < incidents.length;) {
    const r = await fetch(`${api}/api/v1/incidents`, { headers: { authorization: `Bearer ${TOKEN}` } });
    known = ((await r.json()) as { count: number }).count;
    if (known < incidents.length) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return api;
}

async function status(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await captureCli(() => statusCommand.run(argv));
  return { code, out: stdout, err: stderr };
}

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("tracewatch status", () => {
  it("prints a ready serve's sources, throughput, dead letters, model warm-up and sink backlog, exit 0", async () => {
    const api = await startServe(false);
    const { code, out, err } = await status(["--url", api, "--token", TOKEN, "--sample", "0.2"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain(`tracewatch at ${api}: READY`);
    expect(out).toMatch(/sources:\n {2}otlp_http: connected/);
    expect(out).toMatch(/throughput: 0\.0\/s traces, 0\.0\/s spans/);
    expect(out).toContain("dead letters: 0 since start");
    expect(out).toMatch(/model: warming_up\n {2}warm-up: 0\/\d+ samples \(0%\)/);
    expect(out).toContain("alerts, last hour: 0");
    expect(out).toContain("open incidents: none\n");
    expect(out).toContain("sink backlog: nothing queued yet");
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain("note:");
  }, 30_000);

  it("lists the open incidents serve took back, newest first, and leaves out resolved ones", async () => {
    const api = await startServe(false, [
      savedIncident(
        1,
        {
          type: "latency_spike",
          service: "checkout",
          status: "open",
          summary: "checkout is 4.2x slower than usual on GET /checkout",
        },
        90,
        1,
      ),
      savedIncident(
        2,
        {
          type: "error_burst",
          service: "payment",
          status: "open",
          severity: "medium",
          traceCount: 3,
          summary: "payment answers with errors",
        },
        10,
        2,
      ),
      savedIncident(
        3,
        { type: "latency_spike", service: "auth", status: "resolved", summary: "auth was slow" },
        200,
        150,
      ),
    ]);
    const { code, out } = await status(["--url", api, "--token", TOKEN, "--sample", "0"]);
    expect(code).toBe(0);
    expect(out).toMatch(
      new RegExp(
        "open incidents: 2\\n" +
          " {2}payment error_burst \\(medium\\), open 10 min, last seen 2 min ago, 3 traces: payment answers with errors\\n" +
          " {2}checkout latency_spike \\(critical\\), open 90 min, last seen \\d+ s ago, 7 traces: checkout is 4\\.2x slower than usual on GET /checkout\\n" +
          "sink backlog:",
      ),
    );
    expect(out).not.toContain("auth");
    expect(out).not.toContain("note:");

    const json: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((c) => (json.push(String(c)), true));
    await runStatus(["--json", "--sample", "0"], { TRACEWATCH_URL: api, TRACEWATCH_API_TOKEN: TOKEN });
    vi.restoreAllMocks();
    expect(JSON.parse(json.join(""))).toMatchObject({
      incidents: {
        open: 2,
        truncated: false,
        items: [
          { id: "2".padStart(32, "a"), service: "payment", type: "error_burst", traces: 3 },
          { id: "1".padStart(32, "a"), service: "checkout", type: "latency_spike", severity: "critical" },
        ],
      },
    });
  }, 30_000);

  it("takes URL and token from the environment and writes JSON with --json", async () => {
    const api = await startServe(false);
    const out: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((c) => (out.push(String(c)), true));
    const code = await runStatus(["--json", "--sample", "0"], {
      TRACEWATCH_URL: api,
      TRACEWATCH_API_TOKEN: TOKEN,
    });
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const report = JSON.parse(out.join("")) as Record<string, unknown>;
    expect(report).toMatchObject({
      url: api,
      ready: true,
      model: { state: "warming_up", version: null, warmUp: { samples: 0 } },
      deadLetters: { total: 0 },
      alertsLastHour: { total: 0, truncated: false },
      incidents: { open: 0, truncated: false, items: [] },
      problems: [],
    });
    expect(JSON.stringify(report)).not.toContain(TOKEN);
  }, 30_000);

  it("says so without the token, and still reports readiness", async () => {
    const api = await startServe(false);
    const { code, out } = await status(["--url", api, "--sample", "0"]);
    expect(code).toBe(0);
    expect(out).toContain("note: /api/v1/models: unauthorized (give --token or TRACEWATCH_API_TOKEN)");
    expect(out).toContain("open incidents: unknown\n");
    expect(out).toContain(
      "note: /api/v1/incidents?status=open&limit=1000: unauthorized (give --token or TRACEWATCH_API_TOKEN)",
    );
  }, 30_000);

  it("exits 1 with the reason when serve is not ready", async () => {
    const api = await startServe(true);
    const { code, out } = await status(["--url", api, "--token", TOKEN, "--sample", "0"]);
    expect(code).toBe(1);
    expect(out).toContain(`tracewatch at ${api}: NOT READY`);
    expect(out).toMatch(/not ready:\n {2}model_store: .*not writable/);
  }, 30_000);

  it("exits 3 when nothing answers at the URL, 2 on a bad URL", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const down = await status(["--url", url, "--sample", "0"]);
    expect(down.code).toBe(3);
    expect(down.err).toContain(`tracewatch status: cannot reach ${url}/readyz: ECONNREFUSED`);
    const bad = await status(["--url", "localhost:8080"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--url");
  });
});
