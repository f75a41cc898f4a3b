import { noopLogger, type CoreLogger } from "../core/logger.js";
import type { Alert } from "../core/alerts/alert.js";
import type { IncidentEvent } from "../core/incidents/incident.js";

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
  /**
   * Delivers one incident event (sinks notified per incident: webhook, alertmanager), one attempt.
   * Absent: the sink takes per-trace alerts only.
   */
  deliverIncident?(event: IncidentEvent, attempt: number): Promise<DeliveryResult>;
  /** Releases connections; idempotent. */
  shutdown?(): Promise<void>;
}

/** How a sink finished with one alert: delivered, or kept in the dead letters (write acknowledged). */
export type AlertSettlement = "delivered" | "dead_lettered";

/**
 * Result of handing an alert to a sink. Never blocks, never throws.
 *
 * `settled` resolves once the sink is done with the alert: delivered, or its dead letter written
 * and acknowledged by the dead-letter store (refused alerts settle when their dead letter is
 * written). While the dead-letter write keeps failing it stays pending (the sink retries the write
 * as long as it runs). It rejects (`TW_SINK_DELIVERY_FAILED`) only when the sink gave up on the
 * alert without keeping it: the dead-letter write still failed when the sink shut down. A
 * rejection is already handled, so callers that ignore `settled` cause no unhandled rejection.
 */
export type EnqueueResult =
  | { readonly accepted: true; readonly settled: Promise<AlertSettlement> }
  | {
      readonly accepted: false;
      readonly reason: "queue_full" | "shut_down";
      readonly settled: Promise<AlertSettlement>;
    };

/** A named alert destination as the pipeline sees it. */
export interface AlertSink {
  /** Unique name from config; labels metrics and logs. */
  readonly name: string;
  readonly type: string;
  /**
   * Hands the alert over and returns at once. A refused alert is on its way to the dead letters.
   * The result's `settled` says when the sink is done with it (see {@link EnqueueResult}).
   */
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

/** Structured logger, pino-compatible: the core's. */
export type SinkLogger = CoreLogger;

export const silentLogger: SinkLogger = noopLogger;
