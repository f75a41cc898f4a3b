import type { Clock } from "../core/clock.js";
import { TracewatchError } from "../errors.js";
import { AlertmanagerDeliverer } from "./alertmanager.js";
import { authorization } from "./http.js";
import { KafkaDeliverer, type AlertProducer } from "./kafka.js";
import { LogDeliverer, type AlertLogLevel } from "./log.js";
import type { SinkMetrics } from "./metrics.js";
import { DeliveryQueue, type DeliveryQueueOptions } from "./queue.js";
import { expandSecret, Secret } from "./secret.js";
import { signingKey } from "./standard-webhooks.js";
import type { AlertDeliverer, AlertSink, DeadLetterWriter, SinkLogger } from "./types.js";
import { WebhookDeliverer } from "./webhook.js";

/** Delivery settings every queued sink accepts (durations already parsed to ms). */
export interface DeliverySettings {
  /** Per-attempt timeout, ms (HTTP sinks). Default 5000. */
  readonly timeout?: number;
  /** Retries after the first attempt. Default 5. */
  readonly retries?: number;
  /** Queue capacity, alerts. Default 10000. */
  readonly queue_size?: number;
  /** Deliveries in flight at once. Default 4. */
  readonly concurrency?: number;
  /** First backoff cap, ms. Default 500. */
  readonly backoff_initial?: number;
  /** Largest backoff, ms. Default 30000. */
  readonly backoff_max?: number;
  /** Dead-letter an alert not delivered this long after it was queued, ms. Default 600000. */
  readonly max_delivery_time?: number;
  /** Consecutive failures that open the circuit. Default 5. */
  readonly breaker_failures?: number;
  /** Open-circuit pause before a probe, ms. Default 30000. */
  readonly breaker_open?: number;
  /** Shutdown waits this long for the backlog, ms. Default 5000. */
  readonly shutdown_grace?: number;
}

/** `auth` of an HTTP sink; `${VAR}` in a password or token is resolved from `env` when one is given. */
export type HttpAuthConfig =
  | { readonly type: "basic"; readonly username: string; readonly password: string | Secret }
  | { readonly type: "bearer"; readonly token: string | Secret };

export type SinkConfig =
  | ({ readonly type: "log"; readonly name?: string; readonly level?: AlertLogLevel } & DeliverySettings)
  | ({ readonly type: "kafka"; readonly name?: string; readonly topic?: string } & DeliverySettings)
  | ({
      readonly type: "webhook";
      readonly name?: string;
      readonly url: string;
      /** Signing secret; `${VAR}` in it is resolved from `env` when one is given. */
      readonly secret?: string | Secret;
      readonly headers?: Readonly<Record<string, string>>;
      readonly auth?: HttpAuthConfig;
    } & DeliverySettings)
  | ({
      readonly type: "alertmanager";
      readonly name?: string;
      readonly url: string;
      readonly generator_url?: string;
      /** endsAt = detectedAt + this, ms. Default 300000. */
      readonly resolve_after?: number;
      readonly labels?: Readonly<Record<string, string>>;
      readonly auth?: HttpAuthConfig;
    } & DeliverySettings);

export const SINK_TYPES = ["log", "kafka", "webhook", "alertmanager"] as const;

/** What the factory needs from the composition root. */
export interface SinkFactoryDeps {
  readonly clock: Clock;
  /** Sink diagnostics and the log sink's alert lines (a pino logger fits). */
  readonly logger: SinkLogger;
  readonly metrics?: SinkMetrics;
  /** Where undeliverable alerts go (Kafka DLQ topic, or the log without Kafka). */
  readonly deadLetters: DeadLetterWriter;
  /** Required by kafka sinks. */
  readonly kafkaProducer?: AlertProducer;
  /** Topic of kafka sinks without their own. Default "tracewatch.alerts". */
  readonly alertsTopic?: string;
  /**
   * Environment for `${VAR}` in secrets (never read from the process here). Omitted: secrets are
   * taken as written, as from a loaded config, whose loader has resolved `${VAR}` already.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly fetch?: typeof fetch;
  readonly random?: () => number;
}

type Problems = string[];

/** A deliverer that takes incident events. */
export type IncidentDeliverer = AlertDeliverer & Required<Pick<AlertDeliverer, "deliverIncident">>;

/**
 * Builds one queued sink per config entry. With `perIncident`, the sinks that take incident events
 * (webhook, alertmanager) are handed to it instead of taking per-trace alerts. Throws TW_CONFIG_INVALID listing every problem with its
 * path: unknown type, empty or duplicate name (the name defaults to the type), bad URL, secret
 * variables that are not set, a kafka sink without a producer. Secrets never appear in messages.
 */
export function createSinks(
  configs: readonly SinkConfig[],
  deps: SinkFactoryDeps,
  path = "spec.sinks",
  perIncident?: (name: string, deliverer: IncidentDeliverer) => void,
): AlertSink[] {
  const problems: Problems = [];
  const names = new Map<string, number>();
  const sinks: AlertSink[] = [];
  configs.forEach((config, i) => {
    const at = `${path}[${i}]`;
    const name = config.name ?? config.type;
    if (typeof name !== "string" || name.trim() === "") problems.push(`${at}.name: must not be empty`);
    else if (names.has(name))
      problems.push(`${at}.name: duplicate sink name "${name}" (also ${path}[${names.get(name)}])`);
    else names.set(name, i);
    const deliverer = createDeliverer(config, deps, at, problems);
    if (deliverer === null) return;
    if (perIncident !== undefined && deliverer.deliverIncident !== undefined)
      perIncident(String(name), deliverer as IncidentDeliverer);
    else sinks.push(new DeliveryQueue(queueOptions(String(name), config, deliverer, deps)));
  });
  if (problems.length > 0) {
    throw new TracewatchError("TW_CONFIG_INVALID", `invalid sinks:\n  ${problems.join("\n  ")}`, {
      details: { problems },
    });
  }
  return sinks;
}

function createDeliverer(
  config: SinkConfig,
  deps: SinkFactoryDeps,
  at: string,
  problems: Problems,
): AlertDeliverer | null {
  const http = {
    timeoutMs: config.timeout ?? 5_000,
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  };
  switch (config.type) {
    case "log":
      return new LogDeliverer(deps.logger, config.level ?? "warn");
    case "kafka":
      if (deps.kafkaProducer === undefined) {
        problems.push(
          `${at}.type: a kafka sink needs Kafka (set spec.sources.kafka.brokers or KAFKA_BROKERS)`,
        );
        return null;
      }
      return new KafkaDeliverer({
        producer: deps.kafkaProducer,
        topic: config.topic ?? deps.alertsTopic ?? "tracewatch.alerts",
      });
    case "webhook": {
      if (!checkUrl(config.url, `${at}.url`, problems)) return null;
      const auth = resolveAuth(config.auth, config.headers, deps, at, problems);
      const secret = resolveSecret(config.secret, deps, `${at}.secret`, problems);
      if (secret === null || auth === null) return null;
      if (secret === undefined)
        deps.logger.warn(
          { sink: config.name ?? config.type },
          "webhook sink has no secret: requests are unsigned",
        );
      return new WebhookDeliverer({
        ...http,
        ...auth,
        url: config.url,
        clock: deps.clock,
        ...(secret ? { secret } : {}),
        ...(config.headers ? { headers: config.headers } : {}),
      });
    }
    case "alertmanager": {
      if (!checkUrl(config.url, `${at}.url`, problems)) return null;
      const auth = resolveAuth(config.auth, undefined, deps, at, problems);
      if (auth === null) return null;
      if (
        config.generator_url !== undefined &&
        !checkUrl(
          config.generator_url.replace(/\{(traceId|alertId|type)\}/g, "x"),
          `${at}.generator_url`,
          problems,
        )
      )
        return null;
      return new AlertmanagerDeliverer({
        ...http,
        ...auth,
        url: config.url,
        clock: deps.clock,
        ...(config.generator_url === undefined ? {} : { generatorUrl: config.generator_url }),
        ...(config.resolve_after === undefined ? {} : { resolveAfterMs: config.resolve_after }),
        ...(config.labels === undefined ? {} : { labels: config.labels }),
      });
    }
    default:
      problems.push(
        `${at}.type: unknown sink type "${String((config as { type: unknown }).type)}" (expected one of ${SINK_TYPES.join(", ")})`,
      );
      return null;
  }
}

function checkUrl(url: string, at: string, problems: Problems): boolean {
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (parsed === null || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    problems.push(`${at}: must be an http:// or https:// URL`);
    return false;
  }
  if (parsed.username !== "" || parsed.password !== "") {
    problems.push(`${at}: ${URL_CREDENTIALS_PROBLEM}`);
    return false;
  }
  return true;
}

/** Credentials in a URL end up wherever the URL is printed; `auth` keeps them out of it. */
export const URL_CREDENTIALS_PROBLEM =
  'must not contain a user name or password; set auth: { type: basic, username: ..., password: "${VAR}" } or { type: bearer, token: "${VAR}" } instead';

/** `{}` without auth, `{ authorization }` with it; null: a problem was recorded. */
function resolveAuth(
  auth: HttpAuthConfig | undefined,
  headers: Readonly<Record<string, string>> | undefined,
  deps: SinkFactoryDeps,
  at: string,
  problems: Problems,
): { authorization: Secret } | Record<string, never> | null {
  if (auth === undefined) return {};
  if (Object.keys(headers ?? {}).some((h) => h.toLowerCase() === "authorization")) {
    problems.push(`${at}.headers: an authorization header and auth cannot both be set`);
    return null;
  }
  if (auth.type === "bearer") {
    const token = expand(auth.token, deps, `${at}.auth.token`, problems);
    return token === null ? null : { authorization: authorization({ type: "bearer", token }) };
  }
  if (auth.username === "" || auth.username.includes(":")) {
    problems.push(`${at}.auth.username: must not be empty or contain ":"`);
    return null;
  }
  const password = expand(auth.password, deps, `${at}.auth.password`, problems);
  if (password === null) return null;
  return { authorization: authorization({ type: "basic", username: auth.username, password }) };
}

/** A secret with `${VAR}` resolved from `deps.env` (when given); null: a problem was recorded. */
function expand(raw: string | Secret, deps: SinkFactoryDeps, at: string, problems: Problems): Secret | null {
  if (raw instanceof Secret) return raw;
  if (deps.env === undefined) return new Secret(raw);
  const expanded = expandSecret(raw, deps.env);
  if ("secret" in expanded) return expanded.secret;
  problems.push(`${at}: environment variable ${expanded.missing.join(", ")} is not set`);
  return null;
}

/** undefined: no secret configured; null: a problem was recorded. */
function resolveSecret(
  raw: string | Secret | undefined,
  deps: SinkFactoryDeps,
  at: string,
  problems: Problems,
): Secret | undefined | null {
  if (raw === undefined) return undefined;
  const secret = expand(raw, deps, at, problems);
  if (secret === null) return null;
  try {
    signingKey(secret);
  } catch (err) {
    problems.push(`${at}: ${(err as Error).message}`);
    return null;
  }
  return secret;
}

function queueOptions(
  name: string,
  c: DeliverySettings,
  deliverer: AlertDeliverer,
  deps: SinkFactoryDeps,
): DeliveryQueueOptions {
  const optional = <V>(key: string, value: V | undefined): Record<string, V> =>
    value === undefined ? {} : { [key]: value };
  return {
    name,
    deliverer,
    clock: deps.clock,
    deadLetters: deps.deadLetters,
    logger: deps.logger,
    ...optional("metrics", deps.metrics),
    ...optional("random", deps.random),
    ...optional("capacity", c.queue_size),
    ...optional("concurrency", c.concurrency),
    ...optional("maxAttempts", c.retries === undefined ? undefined : c.retries + 1),
    ...optional("maxDeliveryMs", c.max_delivery_time),
    ...optional("breakerFailures", c.breaker_failures),
    ...optional("breakerOpenMs", c.breaker_open),
    ...optional("shutdownGraceMs", c.shutdown_grace),
    backoff: { ...optional("initialMs", c.backoff_initial), ...optional("maxMs", c.backoff_max) },
  };
}
