import { setTimeout as sleep } from "node:timers/promises";
import type { Clock } from "../core/clock.js";
import { systemClock } from "../platform/clock.js";
import { probeStatus, UnreachableError } from "../status/probe.js";
import { buildStatus, formatStatus } from "../status/report.js";
import { defineCommand, parseCommandArgs, UsageError } from "./command.js";

const DEFAULT_URL = "http://127.0.0.1:8080";

const USAGE = `Usage: tracewatch status [options]

Asks a running 'tracewatch serve' how it is doing: its sources and consumer lag, traces and spans
per second, dead letters, the model (version, age, warm-up progress), alerts of the last hour, the
open incidents (the newest 10 listed) and the sinks' backlog. Reads /readyz, /metrics (two scrapes,
--sample apart, for the rates) and /api/v1/models, /api/v1/alerts and /api/v1/incidents (with the
API token).

Options:
      --url URL       serve's API (default: TRACEWATCH_URL, else ${DEFAULT_URL})
      --token TOKEN   API bearer token (default: TRACEWATCH_API_TOKEN); never printed
      --sample SECS   seconds between the two /metrics scrapes (default 1)
      --json          print the status as one JSON document
  -h, --help          this text

Exit codes: 0 ready; 1 not ready (the reasons are printed); 2 wrong usage; 3 serve could not be
reached at that URL.
`;

/** The command; `clock` and `wait` are injected for tests. */
export async function runStatus(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  clock: Clock = systemClock,
  wait: (ms: number) => Promise<void> = (ms) => sleep(ms),
): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...argv],
    options: {
      url: { type: "string" },
      token: { type: "string" },
      sample: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const url = values.url ?? env["TRACEWATCH_URL"] ?? DEFAULT_URL;
  if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--url: "${url}" is not an http(s) URL`);
  const sample = values.sample === undefined ? 1 : Number(values.sample);
  if (!Number.isFinite(sample) || sample < 0 || sample > 60)
    throw new UsageError(`--sample: expected seconds in [0, 60], got "${values.sample}"`);
  const token = values.token ?? env["TRACEWATCH_API_TOKEN"];
  try {
    const inputs = await probeStatus({
      url,
      ...(token === undefined ? {} : { token }),
      sampleMs: sample * 1000,
      clock,
      sleep: wait,
    });
    const report = buildStatus(inputs);
    process.stdout.write(
      values.json === true ? JSON.stringify({ url, ...report }) + "\n" : formatStatus(report, url),
    );
    return report.ready ? 0 : 1;
  } catch (err) {
    if (!(err instanceof UnreachableError)) throw err;
    process.stderr.write(
      `tracewatch status: ${err.message}; is serve running there? (--url or TRACEWATCH_URL)\n`,
    );
    return 3;
  }
}

export const statusCommand = defineCommand(
  "status",
  "ask a running serve for its sources, lag, throughput, model, open incidents and backlog",
  (argv) => runStatus(argv),
);
