import type { IHeaders, Producer } from "kafkajs";
import type { Alert } from "../core/alerts/alert.js";
import { describeError } from "../errors.js";
import type { AlertDeliverer, DeadLetter, DeadLetterWriter, DeliveryResult } from "./types.js";

/** The producer calls used (a kafkajs Producer satisfies it; tests may pass a fake). */
export type AlertProducer = Pick<Producer, "send">;

/** Options of {@link KafkaDeliverer}. */
export interface KafkaSinkOptions {
  /** A connected producer, owned by the caller (it connects and disconnects it). */
  readonly producer: AlertProducer;
  /** Default "tracewatch.alerts". */
  readonly topic?: string;
}

function alertHeaders(alert: Alert): IHeaders {
  return {
    "content-type": "application/json",
    "tracewatch.schema": "alert.v1",
    "tracewatch.type": alert.type,
    "tracewatch.severity": alert.severity,
  };
}

/**
 * Publishes each alert to the alerts topic: key = alert id (redeliveries land on the same
 * partition and compact to one record), value = the alert JSON, acks from all in-sync replicas.
 */
export class KafkaDeliverer implements AlertDeliverer {
  readonly type = "kafka";
  private readonly topic: string;

  constructor(private readonly o: KafkaSinkOptions) {
    this.topic = o.topic ?? "tracewatch.alerts";
  }

  async deliver(alert: Alert): Promise<DeliveryResult> {
    try {
      await this.o.producer.send({
        topic: this.topic,
        acks: -1,
        messages: [{ key: alert.id, value: JSON.stringify(alert), headers: alertHeaders(alert) }],
      });
      return { ok: true };
    } catch (err) {
      // kafkajs has already retried retriable broker errors; ours retries again with backoff.
      return { ok: false, retriable: true, error: describeError(err) };
    }
  }
}

/** Options of {@link KafkaDeadLetterWriter}. */
export interface KafkaDeadLetterOptions {
  readonly producer: AlertProducer;
  /** Default "tracewatch.dlq". */
  readonly topic?: string;
}

/**
 * Writes undeliverable alerts to the dead-letter topic: key = alert id, value = the alert JSON as
 * it would have been delivered, and why in the headers (`tracewatch.dlq.*`).
 */
export class KafkaDeadLetterWriter implements DeadLetterWriter {
  private readonly topic: string;

  constructor(private readonly o: KafkaDeadLetterOptions) {
    this.topic = o.topic ?? "tracewatch.dlq";
  }

  async write(letter: DeadLetter): Promise<void> {
    await this.o.producer.send({
      topic: this.topic,
      acks: -1,
      messages: [
        { key: letter.alert.id, value: JSON.stringify(letter.alert), headers: deadLetterHeaders(letter) },
      ],
    });
  }
}

/** Headers of an alert dead letter. */
export function deadLetterHeaders(letter: DeadLetter): IHeaders {
  return {
    "content-type": "application/json",
    "tracewatch.schema": "alert.v1",
    "tracewatch.dlq.kind": "alert",
    "tracewatch.dlq.reason": letter.reason,
    "tracewatch.dlq.error": letter.error.slice(0, 1024),
    "tracewatch.dlq.sink": letter.sink,
    "tracewatch.dlq.sink_type": letter.sinkType,
    "tracewatch.dlq.attempts": String(letter.attempts),
    "tracewatch.dlq.enqueued_at": new Date(letter.enqueuedAtMs).toISOString(),
  };
}
