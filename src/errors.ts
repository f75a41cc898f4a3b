/**
 * The one registry of tracewatch error codes. Every error the service raises on purpose is a
 * {@link TracewatchError} with one of these codes, so logs, dead letters and API responses name
 * the same thing the same way.
 */
export const ErrorCodes = {
  /** Configuration that cannot run: bad YAML, schema violations, unknown sink types. */
  TW_CONFIG_INVALID: "configuration is invalid",
  /** A message or body that is not a span encoding we understand. */
  TW_DECODE_FAILED: "message could not be decoded",
  /** A well-formed message that holds no spans at all (valid for OTLP/HTTP, dead-lettered from Kafka). */
  TW_NO_SPANS: "message contains no spans",
  /** A decoded span that breaks the span contract (ids, times, names). */
  TW_SPAN_INVALID: "span is invalid",
  /** A message larger than the configured limit. */
  TW_MESSAGE_TOO_LARGE: "message exceeds the size limit",
  /** An alert condition that does not parse or names an unknown identifier. */
  TW_CONDITION_INVALID: "alert condition is invalid",
  /** A model artifact that cannot be read or does not match this version. */
  TW_MODEL_INVALID: "model artifact is invalid",
  /** A sink failed to deliver (retriable unless stated). */
  TW_SINK_DELIVERY_FAILED: "alert delivery failed",
  /** A bounded queue is full. */
  TW_QUEUE_FULL: "queue is full",
  /** Kafka client or broker failure. */
  TW_KAFKA: "kafka operation failed",
  /** Kafka topics tracewatch writes are missing and it may not create them (spec.topics.create). */
  TW_TOPICS_MISSING: "kafka topics are missing",
  /** A server could not listen (port in use, not permitted, address not on this machine). */
  TW_LISTEN_FAILED: "server could not listen",
  /** A bug: an invariant of ours did not hold. */
  TW_INTERNAL: "internal error",
  /** An unexpected exception while processing one trace after assembly; the trace is dead-lettered. */
  TW_TRACE_FAILED: "trace processing failed",
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface TracewatchErrorOptions {
  cause?: unknown;
  /** True when trying the same thing again may succeed (network, broker, full queue). */
  retriable?: boolean;
  /** Extra structured context, printed by the logger. */
  details?: Record<string, unknown>;
}

/** Base class of every deliberate error; fields are enumerable so pino prints them. */
export class TracewatchError extends Error {
  declare readonly code: ErrorCode;
  declare readonly retriable: boolean;
  declare readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: TracewatchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    Object.defineProperty(this, "name", { value: "TracewatchError", enumerable: false });
    Object.defineProperty(this, "code", { value: code, enumerable: true });
    Object.defineProperty(this, "retriable", { value: options.retriable ?? false, enumerable: true });
    Object.defineProperty(this, "details", { value: options.details, enumerable: true });
  }
}

/** True when `err` is a TracewatchError, optionally with the given code. */
export function isTracewatchError(err: unknown, code?: ErrorCode): err is TracewatchError {
  return err instanceof TracewatchError && (code === undefined || err.code === code);
}

/** A readable one-line description of any thrown value, for logs and dead-letter headers. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
