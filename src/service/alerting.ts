import type { Producer } from "kafkajs";
import type { Logger } from "pino";
import type { Clock } from "../core/clock.js";
import type { Config } from "../config/index.js";
import type { TracewatchMetrics } from "../metrics/pipeline.js";
import { AlertDispatcher } from "../sinks/dispatcher.js";
import { createSinks } from "../sinks/factory.js";
import { KafkaDeadLetterWriter } from "../sinks/kafka.js";
import { LogDeadLetterWriter } from "../sinks/log.js";
import { sinkMetricsFrom } from "../sinks/metrics.js";
import { DEFAULT_SHUTDOWN_GRACE_MS } from "../sinks/queue-options.js";

/**
 * The sinks of `spec.sinks` behind one dispatcher. Undeliverable alerts go to `spec.topics.dlq`
 * with Kafka (`producer`), to the log without it.
 */
export function alertDispatcher(
  config: Config,
  deps: { clock: Clock; producer: Producer | null; metrics: TracewatchMetrics; logger: Logger },
): AlertDispatcher {
  const { producer, logger } = deps;
  const topics = config.spec.topics;
  const deadLetters =
    producer === null
      ? new LogDeadLetterWriter(logger)
      : new KafkaDeadLetterWriter({ producer, topic: topics.dlq });
  return new AlertDispatcher(
    createSinks(config.spec.sinks, {
      clock: deps.clock,
      logger,
      metrics: sinkMetricsFrom(deps.metrics),
      deadLetters,
      ...(producer === null ? {} : { kafkaProducer: producer }),
      alertsTopic: topics.alerts,
    }),
  );
}

/** The longest `shutdown_grace` of the configured sinks, ms. */
export function longestSinkShutdownGraceMs(config: Config): number {
  const graces = config.spec.sinks.map((s) =>
    "shutdown_grace" in s && typeof s.shutdown_grace === "number"
      ? s.shutdown_grace
      : DEFAULT_SHUTDOWN_GRACE_MS,
  );
  return Math.max(0, ...graces);
}
