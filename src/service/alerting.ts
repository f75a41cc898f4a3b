import type { Producer } from "kafkajs";
import type { Logger } from "pino";
import type { Clock } from "../core/clock.js";
import type { Config } from "../config/index.js";
import type { TracewatchMetrics } from "../metrics/pipeline.js";
import { AlertDispatcher } from "../sinks/dispatcher.js";
import { createSinks, type IncidentDeliverer } from "../sinks/factory.js";
import { IncidentNotifier } from "../sinks/incident-notifier.js";
import { KafkaDeadLetterWriter } from "../sinks/kafka.js";
import { LogDeadLetterWriter } from "../sinks/log.js";
import { sinkMetricsFrom } from "../sinks/metrics.js";
import { DEFAULT_SHUTDOWN_GRACE_MS } from "../sinks/queue-options.js";

/**
 * The sinks of `spec.sinks` behind one dispatcher. Undeliverable alerts go to `spec.topics.dlq`
 * with Kafka (`producer`), to the log without it. With `spec.incidents.notify: incident` (the
 * default) webhook and alertmanager sinks are left out of the dispatcher and notified per incident
 * by the returned notifier instead.
 */
export function alertDispatcher(
  config: Config,
  deps: { clock: Clock; producer: Producer | null; metrics: TracewatchMetrics; logger: Logger },
): { dispatcher: AlertDispatcher; notifier: IncidentNotifier } {
  const channels: { name: string; deliverer: IncidentDeliverer }[] = [];
  const perIncident =
    config.spec.incidents.notify === "incident"
      ? (name: string, deliverer: IncidentDeliverer) => channels.push({ name, deliverer })
      : undefined;
  const dispatcher = queuedSinks(config, deps, perIncident);
  const notifier = new IncidentNotifier({
    channels,
    clock: deps.clock,
    logger: deps.logger,
    resendIntervalMs: config.spec.incidents.resend_interval,
  });
  return { dispatcher, notifier };
}

function queuedSinks(
  config: Config,
  deps: { clock: Clock; producer: Producer | null; metrics: TracewatchMetrics; logger: Logger },
  perIncident: ((name: string, deliverer: IncidentDeliverer) => void) | undefined,
): AlertDispatcher {
  const { producer, logger } = deps;
  const topics = config.spec.topics;
  const deadLetters =
    producer === null
      ? new LogDeadLetterWriter(logger)
      : new KafkaDeadLetterWriter({ producer, topic: topics.dlq });
  return new AlertDispatcher(
    createSinks(
      config.spec.sinks,
      {
        clock: deps.clock,
        logger,
        metrics: sinkMetricsFrom(deps.metrics),
        deadLetters,
        ...(producer === null ? {} : { kafkaProducer: producer }),
        alertsTopic: topics.alerts,
      },
      "spec.sinks",
      perIncident,
    ),
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
