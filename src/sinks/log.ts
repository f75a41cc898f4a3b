import type { Alert } from "../core/alerts/alert.js";
import type { AlertDeliverer, DeadLetter, DeadLetterWriter, DeliveryResult, SinkLogger } from "./types.js";

/** The logger the log sink writes alert lines to: the sinks' own (pino-compatible) logger shape. */
export type AlertLogger = SinkLogger;

export type AlertLogLevel = "info" | "warn" | "error";

/** The fields of an alert's log line: enough to act on, the full alert only under `alert`. */
export function alertLogFields(alert: Alert): Record<string, unknown> {
  return {
    alertId: alert.id,
    type: alert.type,
    severity: alert.severity,
    traceId: alert.traceId,
    service: alert.service,
    anomalyScore: alert.anomalyScore,
    alert,
  };
}

/** Writes one structured line per alert (message "alert") at the configured level. */
export class LogDeliverer implements AlertDeliverer {
  readonly type = "log";

  constructor(
    private readonly logger: AlertLogger,
    private readonly level: AlertLogLevel = "warn",
  ) {}

  deliver(alert: Alert): Promise<DeliveryResult> {
    this.logger[this.level](alertLogFields(alert), "alert");
    return Promise.resolve({ ok: true });
  }
}

/**
 * Dead letters without Kafka (the embedded default): one error line per alert with the whole alert
 * and the reason, so an operator can replay it from the log.
 */
export class LogDeadLetterWriter implements DeadLetterWriter {
  constructor(private readonly logger: AlertLogger) {}

  write(letter: DeadLetter): Promise<void> {
    const { alert, ...why } = letter;
    this.logger.error({ ...why, alertId: alert.id, alert }, "alert dead-lettered");
    return Promise.resolve();
  }
}
