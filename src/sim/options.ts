import { parseArgs } from "node:util";
import { DURATION_HINT, parseDuration } from "../config/duration.js";
import { DEFAULT_OTLP_HTTP_URL } from "./output/otlp-http.js";
import { DEFAULT_SPAN_TOPIC } from "./output/kafka.js";
import {
  ANOMALY_CATEGORIES,
  DEFAULT_SCHEDULE,
  type AnomalyCategory,
  type AnomalySchedule,
} from "./schedule.js";

/** Where `tracewatch simulate` writes. */
export type SimulateOutput =
  | { readonly kind: "file"; readonly path: string; readonly format: "native" | "otlp_json" }
  | { readonly kind: "otlp-http"; readonly url: string; readonly format: "otlp_proto" | "otlp_json" }
  | {
      readonly kind: "kafka";
      readonly brokers: readonly string[];
      readonly topic: string;
      /** Partitions of the topic if simulate has to create it. */
      readonly partitions: number;
    };

/** Parsed `tracewatch simulate` flags. */
export interface SimulateArgs {
  readonly seed: number;
  readonly ratePerSec: number;
  /** Event time to simulate (ms); null runs until interrupted. */
  readonly durationMs: number | null;
  readonly maxTraces: number | null;
  readonly output: SimulateOutput;
  readonly labelsPath: string | null;
  readonly anomalies: readonly AnomalyCategory[];
  readonly schedule: AnomalySchedule;
  readonly fast: boolean;
  /** Event time of the start (Unix ms); null means the clock's now. */
  readonly startTimeMs: number | null;
  readonly batchTraces: number;
  readonly quiet: boolean;
}

export const SIMULATE_USAGE = `Usage: tracewatch simulate [options]

Synthetic microservice traffic (gateway, 15 services, postgres, redis, elasticsearch, a Kafka
queue) with labelled injected anomalies. See docs/simulate.md.

Options:
  --seed N             PRNG seed; same seed and options, same traces and labels (default 1)
  --rate N             traces per second of event time, Poisson arrivals (default 50)
  --duration D         event time to simulate, e.g. 90s, 10m; 0 runs until Ctrl-C (default 60s)
  --traces N           stop after N traces (whichever of --duration and --traces comes first)
  --output TARGET      file:PATH | otlp-http[:URL] | kafka[:BROKERS]
                       (default otlp-http:${DEFAULT_OTLP_HTTP_URL}; kafka default 127.0.0.1:9092)
  --format F           file: native (NDJSON, default) or otlp_json;
                       otlp-http: otlp_proto (default) or otlp_json; kafka: otlp_proto only
  --topic NAME         Kafka topic (default ${DEFAULT_SPAN_TOPIC}), messages keyed by trace id
  --partitions N       partitions if the topic does not exist yet and is created (default 6)
  --labels PATH        write one NDJSON label per trace to PATH
  --anomalies LIST     comma list of latency,path,cascade,near-miss, or all, or none (default all)
  --warmup D           normal traffic before the first anomaly window (default 15s)
  --period D           the anomaly windows repeat with this period (default 60s)
  --fraction F         share of eligible traces injected in every window, 0..1 (default per window)
  --fast               write as fast as possible; event time advances synthetically
                       (default: live, paced by the wall clock)
  --start-time T       event time of the start, ISO-8601 or Unix ms (default now)
  --batch N            traces per write (default 100)
  --quiet              no progress lines on stderr
  -h, --help           this text
`;

export type ParseResult =
  | { readonly ok: true; readonly args: SimulateArgs }
  | { readonly ok: false; readonly help: boolean; readonly errors: readonly string[] };

const OPTIONS = {
  seed: { type: "string" },
  rate: { type: "string" },
  duration: { type: "string" },
  traces: { type: "string" },
  output: { type: "string" },
  format: { type: "string" },
  topic: { type: "string" },
  partitions: { type: "string" },
  labels: { type: "string" },
  anomalies: { type: "string" },
  warmup: { type: "string" },
  period: { type: "string" },
  fraction: { type: "string" },
  fast: { type: "boolean" },
  "start-time": { type: "string" },
  batch: { type: "string" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>["values"];

/** Parses `tracewatch simulate` arguments; every problem is listed, none thrown. */
export function parseSimulateArgs(argv: readonly string[]): ParseResult {
  let values: Values;
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    return { ok: false, help: false, errors: [(err as Error).message] };
  }
  if (values.help === true) return { ok: false, help: true, errors: [] };
  const errors: string[] = [];
  const int = (name: string, text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < min)
      errors.push(`--${name}: expected an integer >= ${min}, got "${text}"`);
    return n;
  };
  const duration = (name: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const ms = text.trim() === "0" ? 0 : parseDuration(text);
    if (ms === null) errors.push(`--${name}: "${text}" is not a duration (${DURATION_HINT})`);
    return ms ?? fallback;
  };
  const rate = values.rate === undefined ? 50 : Number(values.rate);
  if (!(rate > 0 && rate <= 1_000_000))
    errors.push(`--rate: expected a number of traces per second in (0, 1000000], got "${values.rate}"`);
  const durationMs = duration("duration", values.duration, 60_000);
  const schedule = parseSchedule(values, duration, errors);
  const args: SimulateArgs = {
    seed: int("seed", values.seed, 1, 0),
    ratePerSec: rate,
    durationMs: durationMs === 0 ? null : durationMs,
    maxTraces: values.traces === undefined ? null : int("traces", values.traces, 0, 1),
    output: parseOutput(values, errors, int("partitions", values.partitions, 6, 1)),
    labelsPath: values.labels ?? null,
    anomalies: parseAnomalies(values.anomalies, errors),
    schedule,
    fast: values.fast === true,
    startTimeMs: parseStart(values["start-time"], errors),
    batchTraces: int("batch", values.batch, 100, 1),
    quiet: values.quiet === true,
  };
  return errors.length > 0 ? { ok: false, help: false, errors } : { ok: true, args };
}

function parseSchedule(
  values: Values,
  duration: (name: string, text: string | undefined, fallback: number) => number,
  errors: string[],
): AnomalySchedule {
  const warmupMs = duration("warmup", values.warmup, DEFAULT_SCHEDULE.warmupMs);
  const periodMs = duration("period", values.period, DEFAULT_SCHEDULE.periodMs);
  const lastEnd = Math.max(...DEFAULT_SCHEDULE.windows.map((w) => w.offsetMs + w.durationMs));
  if (periodMs < lastEnd)
    errors.push(`--period: must be at least ${lastEnd / 1000}s, the span of the anomaly windows`);
  let fraction: number | null = null;
  if (values.fraction !== undefined) {
    fraction = Number(values.fraction);
    if (!(fraction >= 0 && fraction <= 1))
      errors.push(`--fraction: expected a number in [0, 1], got "${values.fraction}"`);
  }
  const windows = DEFAULT_SCHEDULE.windows.map((w) => (fraction === null ? w : { ...w, fraction }));
  return { warmupMs, periodMs, windows };
}

function parseAnomalies(text: string | undefined, errors: string[]): AnomalyCategory[] {
  if (text === undefined || text === "all") return [...ANOMALY_CATEGORIES];
  if (text === "none") return [];
  const out: AnomalyCategory[] = [];
  for (const part of text.split(",").map((p) => p.trim())) {
    if ((ANOMALY_CATEGORIES as readonly string[]).includes(part)) out.push(part as AnomalyCategory);
    else
      errors.push(
        `--anomalies: unknown category "${part}" (expected ${ANOMALY_CATEGORIES.join(", ")}, all or none)`,
      );
  }
  return out;
}

function parseStart(text: string | undefined, errors: string[]): number | null {
  if (text === undefined) return null;
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(ms) || ms < 0) {
    errors.push(`--start-time: expected ISO-8601 or Unix milliseconds, got "${text}"`);
    return null;
  }
  return ms;
}

function parseOutput(values: Values, errors: string[], partitions: number): SimulateOutput {
  const { format, topic } = values;
  const spec = values.output ?? "otlp-http";
  const colon = spec.indexOf(":");
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? "" : spec.slice(colon + 1);
  const badFormat = (allowed: string[]): void => {
    if (format !== undefined && !allowed.includes(format))
      errors.push(
        `--format: "${format}" is not available for ${kind} output (expected ${allowed.join(" or ")})`,
      );
  };
  if (kind !== "kafka" && topic !== undefined) errors.push("--topic: only applies to kafka output");
  if (kind !== "kafka" && values.partitions !== undefined)
    errors.push("--partitions: only applies to kafka output");
  switch (kind) {
    case "file":
      if (rest === "") errors.push("--output: file output needs a path, e.g. file:/tmp/spans.ndjson");
      badFormat(["native", "otlp_json"]);
      return { kind, path: rest, format: format === "otlp_json" ? "otlp_json" : "native" };
    case "otlp-http": {
      const url = rest === "" ? DEFAULT_OTLP_HTTP_URL : rest;
      if (!/^https?:\/\/[^/]+/.test(url)) errors.push(`--output: "${url}" is not an http(s) URL`);
      badFormat(["otlp_proto", "otlp_json"]);
      return { kind, url, format: format === "otlp_json" ? "otlp_json" : "otlp_proto" };
    }
    case "kafka": {
      const brokers = (rest === "" ? "127.0.0.1:9092" : rest).split(",").map((b) => b.trim());
      for (const b of brokers)
        if (!/^[^:\s]+:\d+$/.test(b)) errors.push(`--output: kafka broker "${b}" is not host:port`);
      badFormat(["otlp_proto"]);
      if (topic !== undefined && !/^[a-zA-Z0-9._-]{1,249}$/.test(topic))
        errors.push(`--topic: "${topic}" is not a valid topic name`);
      return { kind, brokers, topic: topic ?? DEFAULT_SPAN_TOPIC, partitions };
    }
    default:
      errors.push(
        `--output: unknown target "${spec}" (expected file:PATH, otlp-http[:URL] or kafka[:BROKERS])`,
      );
      return { kind: "file", path: "", format: "native" };
  }
}
