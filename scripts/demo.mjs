#!/usr/bin/env node
// `npm run demo`: runs `tracewatch serve` on the embedded setup (OTLP/HTTP in, in-process model)
// with config/examples/demo.yaml, drives `tracewatch simulate` into it, says what is injected and
// prints the alerts as they fire, then stops both processes by itself.
//
//   node scripts/demo.mjs [--duration SECONDS] [--rate TRACES_PER_SEC] [--seed N]
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clearTimeout, setTimeout } from "node:timers";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "tracewatch.js");
const CONFIG = join(ROOT, "config", "examples", "demo.yaml");

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "90" },
    rate: { type: "string", default: "100" },
    seed: { type: "string", default: "1" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  process.stdout.write("Usage: npm run demo [-- --duration SECONDS --rate TRACES_PER_SEC --seed N]\n");
  process.exit(0);
}
const durationS = Number(values.duration);
const rate = Number(values.rate);
if (!(durationS > 0) || !(rate > 0)) {
  process.stderr.write("demo: --duration and --rate must be positive numbers\n");
  process.exit(2);
}
if (!existsSync(join(ROOT, "dist", "cli", "main.js"))) {
  process.stderr.write("demo: dist/ is missing; run `npm install` (or `npm run build`) first\n");
  process.exit(2);
}

/** A free TCP port on 127.0.0.1 (the OS picks it; released before the service binds it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Normal traffic before the first injection: the first model (2,000 traces, config/examples/demo.yaml)
// is trained after about 30 s at 100 traces/s (the service checks the window every 10 s).
const WARMUP_S = 35;
const started = Date.now();
const since = () => `+${String(Math.round((Date.now() - started) / 1000)).padStart(3)}s`;
const say = (line) => process.stdout.write(`${line}\n`);

const work = mkdtempSync(join(tmpdir(), "tracewatch-demo-"));
const apiPort = await freePort();
const otlpPort = await freePort();
const serveLog = join(work, "serve.log");
const children = [];

function start(args, env, onLine) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  if (onLine !== undefined) {
    let buffered = "";
    child.stderr.on("data", (chunk) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    });
  }
  return child;
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => (clearTimeout(timer), resolve()));
    child.kill("SIGTERM");
  });
}

let stopping = false;
async function cleanUp() {
  if (stopping) return;
  stopping = true;
  // The traffic first, so the simulator does not report the service going away.
  for (const child of [...children].reverse()) await stop(child);
  rmSync(work, { recursive: true, force: true });
}
process.once("SIGINT", () => void cleanUp().then(() => process.exit(130)));
process.once("SIGTERM", () => void cleanUp().then(() => process.exit(143)));

say(`tracewatch demo: ${durationS} s of simulated web-shop traffic (${rate} traces/s) into tracewatch serve.

What happens:
  - tracewatch serve listens for OTLP/HTTP on 127.0.0.1:${otlpPort}; its API is on 127.0.0.1:${apiPort}.
    It learns normal traffic first (about 30 s), then scores every trace and applies the seed's rules:
      latency_spike    anomaly_score > 0.9 AND total_duration > p99_baseline * 2
      unusual_path     new_service_combination = true
      cascade_failure  error_count > 5 AND affected_services > 3
  - tracewatch simulate sends a gateway, 15 services, 3 datastores and a queue. After ${WARMUP_S} s of normal
    traffic it injects, each minute: a network delay on one service, a canary deploy that adds a new
    call, a cascading failure, CPU contention on one service, and error near-misses that must NOT alert.
  - Lines starting with "injected" say what the simulator just injected; "ALERT" lines are the alerts
    tracewatch raised (read from GET /api/v1/alerts). Service log: ${serveLog}
`);

const serveOut = createWriteStream(serveLog);
const serve = start(["serve", "--config", CONFIG], {
  TRACEWATCH_API_PORT: String(apiPort),
  TRACEWATCH_OTLP_PORT: String(otlpPort),
  // The demo sends OTLP/HTTP only: its gRPC receiver takes any free port, not 4317.
  TRACEWATCH_OTLP_GRPC_PORT: "0",
  TRACEWATCH_MODEL_DIR: join(work, "models"),
  KAFKA_BROKERS: "",
});
serve.stdout.pipe(serveOut);
serve.stderr.pipe(serveOut);

async function ready() {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (serve.exitCode !== null) return false;
    try {
      const res = await globalThis.fetch(`http://127.0.0.1:${apiPort}/healthz`);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  return false;
}

if (!(await ready())) {
  say(`demo: tracewatch serve did not start; see ${serveLog}`);
  await cleanUp();
  process.exit(1);
}
say(`${since()}  tracewatch serve is up`);

start(
  [
    "simulate",
    "--rate",
    String(rate),
    "--seed",
    String(values.seed),
    "--duration",
    `${durationS}s`,
    "--warmup",
    `${WARMUP_S}s`,
    "--output",
    `otlp-http:http://127.0.0.1:${otlpPort}/v1/traces`,
  ],
  {},
  (line) => {
    const m = /^\[\+\d+s\.\.\+\d+s\] (.*)$/.exec(line);
    if (m !== null) say(`${since()}  injected  ${m[1]}`);
    else if (/^tracewatch simulate: (stopped|cannot)/.test(line))
      say(`${since()}  ${line.replace(/^tracewatch /, "")}`);
  },
);

function describe(alert) {
  const f = alert.features ?? {};
  const e = alert.evidence ?? {};
  switch (alert.type) {
    case "latency_spike": {
      const head = `${alert.rootOperation}: ${Math.round(f.total_duration)} ms vs p99 ${Math.round(e.p99Baseline ?? 0)} ms`;
      const call = e.slowestCall;
      // A wait between two services (network, queue) points at the call; otherwise at own work.
      if (call && call.outsideCalleeMs > (e.slowestService?.selfTimeMs ?? 0) / 2)
        return `${head}, slow call ${call.caller} -> ${call.callee} (+${Math.round(call.outsideCalleeMs)} ms)`;
      return `${head}, slowest ${e.slowestService?.service ?? alert.service}`;
    }
    case "unusual_path":
      return `new call ${(e.newEdges ?? []).join(", ")}`;
    case "cascade_failure":
      return `${f.error_count} errors in ${f.affected_services} services, likely origin ${e.likelyOrigin?.service ?? alert.service}`;
    default:
      return alert.description ?? "";
  }
}

const seen = new Set();
const counts = {};
let modelShown = false;
const end = started + durationS * 1000;
while (Date.now() < end && serve.exitCode === null) {
  await sleep(1000);
  try {
    if (!modelShown) {
      const m = await (await globalThis.fetch(`http://127.0.0.1:${apiPort}/api/v1/models`)).json();
      if (m.status === "loaded") {
        modelShown = true;
        say(`${since()}  first model trained: detection is on`);
      }
    }
    const { alerts } = await (
      await globalThis.fetch(`http://127.0.0.1:${apiPort}/api/v1/alerts?limit=1000`)
    ).json();
    for (const alert of [...alerts].reverse()) {
      if (seen.has(alert.id)) continue;
      seen.add(alert.id);
      counts[alert.type] = (counts[alert.type] ?? 0) + 1;
      say(`${since()}  ALERT     ${alert.type.padEnd(15)} ${alert.severity.padEnd(8)} ${describe(alert)}`);
    }
  } catch (err) {
    say(`${since()}  demo: API not answering (${err.message})`);
  }
}

const summary = Object.entries(counts)
  .map(([k, v]) => `${k} ${v}`)
  .join(", ");
say(`\n${since()}  done: ${summary || "no alerts"}; stopping tracewatch serve and simulate`);
await cleanUp();
