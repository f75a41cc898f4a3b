import type { z } from "zod";
import { DEFAULTS } from "./defaults.js";
import { formatDuration } from "./duration.js";
import { isLoopbackHost } from "./primitives.js";

type Path = (string | number)[];
type Report = (path: Path, message: string) => void;

function rec(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Reports every element after the first whose key was already seen. */
function checkUnique(
  items: unknown[],
  keyOf: (item: Record<string, unknown>) => unknown,
  field: string,
  base: Path,
  report: Report,
): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const key = keyOf(rec(item));
    if (typeof key !== "string") return;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else report([...base, i, field], `duplicate ${field} "${key}" (first at ${base.join(".")}[${first}])`);
  });
}

function checkAlertsAndSinks(spec: Record<string, unknown>, report: Report): void {
  checkUnique(list(spec.alerts), (a) => a.type, "type", ["spec", "alerts"], report);
  const sinks = list(spec.sinks);
  checkUnique(sinks, (s) => s.name ?? s.type, "name", ["spec", "sinks"], report);
  const brokers = list(rec(rec(spec.sources).kafka).brokers);
  sinks.forEach((sink, i) => {
    if (rec(sink).type === "kafka" && brokers.length === 0) {
      report(
        ["spec", "sinks", i, "type"],
        "a kafka sink needs spec.sources.kafka.brokers (or KAFKA_BROKERS)",
      );
    }
  });
  const features = list(rec(spec.model).features);
  features.forEach((f, i) => {
    if (features.indexOf(f) !== i)
      report(["spec", "model", "features", i], `duplicate feature "${String(f)}"`);
  });
}

function checkLimits(spec: Record<string, unknown>, report: Report): void {
  const assembly = rec(spec.assembly);
  const { root_grace: grace, decision_wait: wait } = assembly;
  if (typeof grace === "number" && typeof wait === "number" && grace >= wait) {
    report(["spec", "assembly", "root_grace"], "must be shorter than spec.assembly.decision_wait");
  }
  const training = rec(spec.training);
  const { min_samples: min, max_samples: max } = training;
  if (typeof min === "number" && typeof max === "number" && min > max) {
    report(["spec", "training", "min_samples"], "must not exceed spec.training.max_samples");
  }
}

/** The consumer must heartbeat within its session, or the group evicts it between heartbeats. */
function checkKafkaTiming(spec: Record<string, unknown>, report: Report): void {
  const kafka = rec(rec(spec.sources).kafka);
  const { session_timeout: session, heartbeat_interval: heartbeat } = kafka;
  if (typeof session === "number" && typeof heartbeat === "number" && heartbeat >= session) {
    report(
      ["spec", "sources", "kafka", "heartbeat_interval"],
      `must be shorter than spec.sources.kafka.session_timeout (${formatDuration(heartbeat)} >= ${formatDuration(session)})`,
    );
  }
}

function checkNetwork(spec: Record<string, unknown>, report: Report): void {
  const api = rec(spec.api);
  if (
    api.enabled !== false &&
    typeof api.host === "string" &&
    !isLoopbackHost(api.host) &&
    api.token === undefined
  ) {
    report(
      ["spec", "api", "host"],
      "listening beyond loopback requires spec.api.token (or TRACEWATCH_API_TOKEN)",
    );
  }
  const sources = rec(spec.sources);
  const kafka = rec(sources.kafka);
  const otlp = rec(sources.otlp_http);
  const grpc = rec(sources.otlp_grpc);
  if (list(kafka.brokers).length === 0 && otlp.enabled === false && grpc.enabled !== true) {
    report(
      ["spec", "sources"],
      "no span source: set spec.sources.kafka.brokers or enable spec.sources.otlp_http or spec.sources.otlp_grpc",
    );
  }
  const tls = rec(kafka.tls);
  if ((tls.cert_file === undefined) !== (tls.key_file === undefined)) {
    report(["spec", "sources", "kafka", "tls"], "cert_file and key_file must be given together");
  }
  const otlpOn = otlp.enabled === true || (otlp.enabled === undefined && list(kafka.brokers).length === 0);
  const grpcOn = grpc.enabled === true || (grpc.enabled === undefined && otlpOn);
  // Each listener against the ones before it; port 0 picks a free port and never collides.
  const listeners: [path: string[], on: boolean, port: unknown][] = [
    [["spec", "sources", "otlp_http", "port"], otlpOn, otlp.port ?? DEFAULTS.sources.otlp_http.port],
    [["spec", "sources", "otlp_grpc", "port"], grpcOn, grpc.port ?? DEFAULTS.sources.otlp_grpc.port],
    [["spec", "api", "port"], api.enabled !== false, api.port ?? DEFAULTS.api.port],
  ];
  const open = listeners.filter(([, on, p]) => on && typeof p === "number" && p !== 0);
  open.forEach(([path, , p], i) => {
    const earlier = open.slice(0, i).find(([, , q]) => q === p);
    if (earlier !== undefined) report(path, `same port as ${earlier[0].join(".")} (${String(p)})`);
  });
}

/**
 * Checks that span several keys. Runs even when other keys failed (values may then be raw input),
 * so every problem is reported in one pass.
 */
export function crossFieldChecks(doc: unknown, ctx: z.RefinementCtx): void {
  const report: Report = (path, message) => ctx.addIssue({ code: "custom", path, message });
  const spec = rec(rec(doc).spec);
  checkAlertsAndSinks(spec, report);
  checkLimits(spec, report);
  checkKafkaTiming(spec, report);
  checkNetwork(spec, report);
}
