/** Structured logger the core and the adapters log through; pino-compatible (`logger.warn({ sink }, "message")`). */
export interface CoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Discards everything (the default where no logger is given). */
export const noopLogger: CoreLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
