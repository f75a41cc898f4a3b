import { pino, type DestinationStream, type Logger, type LevelWithSilent } from "pino";
import pretty from "pino-pretty";

export type { Logger } from "pino";

/** Where secrets can appear in log objects; their values are replaced by `[redacted]`. */
export const REDACT_PATHS: readonly string[] = [
  "authorization",
  "headers.authorization",
  "req.headers.authorization",
  "request.headers.authorization",
  "*.headers.authorization",
  "token",
  "*.token",
  "*.*.token",
  "secret",
  "*.secret",
  "*.*.secret",
  "password",
  "*.password",
  "*.*.password",
  "sasl.password",
  "*.sasl.password",
  "config.spec.api.token",
  "config.spec.sources.kafka.sasl.password",
  "config.spec.sinks[*].secret",
  "spec.sinks[*].secret",
  "sinks[*].secret",
];

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level; default `info`. */
  readonly level?: LevelWithSilent;
  /**
   * Human-readable colour output via pino-pretty instead of JSON lines. Pass whether the
   * destination is a terminal (`process.stderr.isTTY` for the default destination).
   */
  readonly pretty?: boolean;
  /** Where lines go: a stream (tests) or a file descriptor; default 2 (stderr, so stdout stays data). */
  readonly destination?: DestinationStream | 1 | 2;
}

/**
 * The process logger: pino JSON lines (ISO time, `err` serialised with code/cause, secrets
 * redacted), or pino-pretty when `pretty` is set. Components log through a child logger
 * naming them: `logger.child({ component: "assembler" })`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? 2;
  const settings = {
    level: options.level ?? "info",
    base: { service: "tracewatch" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: "[redacted]" },
    serializers: { err: pino.stdSerializers.err },
  };
  if (options.pretty === true) {
    const out = typeof destination === "number" ? destination : (destination as NodeJS.WritableStream);
    return pino(
      settings,
      pretty({ destination: out, sync: true, colorize: typeof destination === "number" }),
    );
  }
  const stream =
    typeof destination === "number" ? pino.destination({ fd: destination, sync: true }) : destination;
  return pino(settings, stream);
}
