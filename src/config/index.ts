export { loadConfig, type ConfigSource, type LoadConfigOptions } from "./load.js";
export type { Config, SinkConfig } from "./schema.js";
export { documentSchema, API_VERSION, KIND } from "./schema.js";
export type { Env } from "./env.js";
export { ENV_OVERRIDES } from "./env.js";
export { DEFAULTS } from "./defaults.js";
export { parseDuration, formatDuration, type Millis } from "./duration.js";
export { isLoopbackHost, SECRET_KEYS } from "./primitives.js";
export { redactConfig, REDACTED } from "./redact.js";
