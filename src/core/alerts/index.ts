export {
  ALERT_VERSION,
  alertId,
  type Alert,
  type AlertDedup,
  type AlertEvidence,
  type AlertFeatures,
  type CriticalPathStep,
  type LikelyOrigin,
} from "./alert.js";
export { Alerter, type AlertDecision, type AlerterOptions } from "./alerter.js";
export { analyse, buildAlert, MAX_CRITICAL_PATH_STEPS, type AlertContext } from "./builder.js";
export { CooldownWindows, type CooldownWindowsOptions, type DedupResult } from "./dedup.js";
export { hashValue, Redactor, type AttributeLimits, type RedactionAction } from "./redaction.js";
export { analyseTrace, type TraceAnalysis } from "./trace-analysis.js";
