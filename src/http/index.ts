export { createApiServer, type ApiServer, type ApiServerOptions } from "./api.js";
export type {
  AlertLog,
  AlertPage,
  AlertQuery,
  ApiProviders,
  DecodedBody,
  ListableAlert,
  ModelSummary,
  ReadinessReport,
  RetrainOutcome,
  ScoreOutcome,
} from "./api-types.js";
export { RecentAlerts } from "./recent-alerts.js";
export { apiDocument, renderApiReference, type OpenApiDocument } from "./api-reference.js";
export {
  createOtlpReceiver,
  type OtlpIngest,
  type OtlpIngestResult,
  type OtlpReceiver,
  type OtlpReceiverOptions,
} from "./otlp-receiver.js";
export { summarizeDecode } from "./otlp-ingest.js";
export { assertBindAllowed, type BoundAddress } from "./listen.js";
export { otlpReceiverOptions, apiServerOptions } from "./from-config.js";
