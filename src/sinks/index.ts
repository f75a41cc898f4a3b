export {
  AlertmanagerDeliverer,
  toPostableAlert,
  type AlertmanagerOptions,
  type PostableAlert,
} from "./alertmanager.js";
export { backoffDelay, type BackoffOptions } from "./backoff.js";
export { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from "./circuit-breaker.js";
export { AlertDispatcher } from "./dispatcher.js";
export {
  createSinks,
  SINK_TYPES,
  type DeliverySettings,
  type SinkConfig,
  type SinkFactoryDeps,
} from "./factory.js";
export { InMemoryAlertSink, InMemoryDeadLetterWriter } from "./in-memory.js";
export {
  deadLetterHeaders,
  KafkaDeadLetterWriter,
  KafkaDeliverer,
  type AlertProducer,
  type KafkaDeadLetterOptions,
  type KafkaSinkOptions,
} from "./kafka.js";
export {
  alertLogFields,
  LogDeadLetterWriter,
  LogDeliverer,
  type AlertLogger,
  type AlertLogLevel,
} from "./log.js";
export { noopSinkMetrics, sinkMetricsFrom, type SinkMetrics, type SinkOutcome } from "./metrics.js";
export { DEFAULT_SHUTDOWN_GRACE_MS } from "./queue-options.js";
export { DeliveryQueue, type DeliveryQueueOptions } from "./queue.js";
export { expandSecret, Secret } from "./secret.js";
export { createSettlement, type Settlement } from "./settlement.js";
export { signingKey, signWebhook, type WebhookSignatureHeaders } from "./standard-webhooks.js";
export type {
  AlertDeliverer,
  AlertSettlement,
  AlertSink,
  DeadLetter,
  DeadLetterReason,
  DeadLetterWriter,
  DeliveryResult,
  EnqueueResult,
  SinkLogger,
} from "./types.js";
export { silentLogger } from "./types.js";
export { WebhookDeliverer, type WebhookOptions } from "./webhook.js";
