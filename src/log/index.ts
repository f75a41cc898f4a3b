export { createLogger, componentLogger, REDACT_PATHS, type Logger, type LoggerOptions } from "./logger.js";
