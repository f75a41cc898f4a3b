import { readFileSync } from "node:fs";
import { Kafka, logLevel, type ConsumerConfig, type KafkaConfig, type SASLOptions } from "kafkajs";
import type { Logger } from "pino";
import type { Config } from "../config/index.js";

type KafkaSource = Config["spec"]["sources"]["kafka"];

function sasl(s: NonNullable<KafkaSource["sasl"]>): SASLOptions {
  const { username, password } = s;
  switch (s.mechanism) {
    case "plain":
      return { mechanism: "plain", username, password };
    case "scram-sha-256":
      return { mechanism: "scram-sha-256", username, password };
    case "scram-sha-512":
      return { mechanism: "scram-sha-512", username, password };
  }
}

function tls(t: NonNullable<KafkaSource["tls"]>): KafkaConfig["ssl"] {
  if (!t.enabled) return false;
  return {
    rejectUnauthorized: t.reject_unauthorized,
    ...(t.ca_file === undefined ? {} : { ca: [readFileSync(t.ca_file, "utf8")] }),
    ...(t.cert_file === undefined ? {} : { cert: readFileSync(t.cert_file, "utf8") }),
    ...(t.key_file === undefined ? {} : { key: readFileSync(t.key_file, "utf8") }),
    ...(t.servername === undefined ? {} : { servername: t.servername }),
  };
}

const LEVELS: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/** The kafkajs client of `spec.sources.kafka` (brokers, client id, SASL, TLS), logging through pino. */
export function createKafkaClient(config: Config, logger: Logger): Kafka {
  const k = config.spec.sources.kafka;
  const log = logger.child({ component: "kafkajs" });
  return new Kafka({
    clientId: k.client_id,
    brokers: [...k.brokers],
    ...(k.sasl === undefined ? {} : { sasl: sasl(k.sasl) }),
    ...(k.tls === undefined ? {} : { ssl: tls(k.tls) }),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...rest } = entry;
        log[LEVELS[level] ?? "info"](rest, message);
      },
  });
}

/** The consumer group timing kafkajs takes, in milliseconds. */
export type ConsumerTiming = Required<
  Pick<ConsumerConfig, "sessionTimeout" | "heartbeatInterval" | "rebalanceTimeout">
>;

/**
 * The span consumer's group timing from `spec.sources.kafka` (`session_timeout`,
 * `heartbeat_interval`, `rebalance_timeout`; defaults 30 s, 3 s, 60 s as in kafkajs).
 */
export function consumerTiming(config: Config): ConsumerTiming {
  const k = config.spec.sources.kafka;
  return {
    sessionTimeout: k.session_timeout,
    heartbeatInterval: k.heartbeat_interval,
    rebalanceTimeout: k.rebalance_timeout,
  };
}
