import type { Alert } from "../core/alerts/alert.js";

/** Outcome of one delivery attempt. `retriable: false` sends the alert straight to the dead letters. */
export type DeliveryResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly retriable: boolean;
      readonly error: string;
      readonly retryAfterMs?: number;
    };

/**
 * Delivers one alert somewhere, one attempt per call. Retries, backoff, the circuit breaker and
 * dead-lettering belong to the {@link DeliveryQueue} around it. Must not throw for expected
 * failures (it may; a throw counts as a retriable failure).
 */
export interface AlertDeliverer {
  /** Sink type, e.g. `webhook`. */
  readonly type: string;
  deliver(alert: Alert, attempt: number): Promise<DeliveryResult>;
  /** Releases connections; idempotent. */
  shutdown?(): Promise<void>;
}

/** Result of handing an alert to a sink. Never blocks, never throws. */
export type EnqueueResult =
  { readonly accepted: true } | { readonly accepted: false; readonly reason: "queue_full" | "shut_down" };

/** A named alert destination as the pipeline sees it. */
export interface AlertSink {
  /** Unique name from config; labels metrics and logs. */
  readonly name: string;
  readonly type: string;
  /** Hands the alert over and returns at once. A refused alert has already gone to the dead letters. */
  enqueue(alert: Alert): EnqueueResult;
  /** Alerts not yet delivered or dead-lettered (queued, waiting to retry, in flight). */
  backlog(): number;
  /** Resolves when the backlog is empty, or with false after `timeoutMs`. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Stops accepting, flushes for up to its grace period, dead-letters the rest. Idempotent. */
  shutdown(): Promise<void>;
}

/** Why an alert ended in the dead letters. */
export type DeadLetterReason =
  "retries_exhausted" | "permanent_error" | "queue_full" | "expired" | "shutdown";

/** An alert a sink could not deliver, with what went wrong. */
export interface DeadLetter {
  readonly alert: Alert;
  readonly sink: string;
  readonly sinkType: string;
  readonly reason: DeadLetterReason;
  /** The last delivery error, or why no attempt was made. */
  readonly error: string;
  readonly attempts: number;
  /** When the sink accepted the alert, Unix ms. */
  readonly enqueuedAtMs: number;
}

/** Keeps undeliverable alerts (the `tracewatch.dlq` topic, or the log without Kafka). */
export interface DeadLetterWriter {
  write(letter: DeadLetter): Promise<void>;
}

/** Structured logger, pino-compatible (`logger.warn({ sink }, "message")`). */
export interface SinkLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: SinkLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
