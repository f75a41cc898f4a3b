import { TracewatchError } from "../../errors.js";
import { compileCondition, type CompiledCondition } from "./compiler.js";
import { isSeverity, type Severity } from "./severity.js";

/**
 * How repeated matches of one rule are collapsed.
 * - `trace`: one alert per trace (redelivery of the same trace inside the cooldown is dropped).
 * - `edge`: one alert per new caller→callee edge per cooldown window, with a suppressed count.
 * - `origin`: one alert per likely origin service (deepest erroring service) per cooldown window.
 */
export type DedupScope = "trace" | "edge" | "origin";

/** An alert rule as configured (the seed's `alerts:` items plus optional keys). */
export interface AlertRuleSpec {
  /** Alert type, e.g. `latency_spike`; unique among rules; [a-z][a-z0-9_]*. */
  readonly type: string;
  /** Condition in the condition language (docs/alerts.md). */
  readonly condition: string;
  readonly severity: Severity;
  /** Default: `edge` for unusual_path, `origin` for cascade_failure, `trace` otherwise. */
  readonly dedup?: DedupScope;
  /** Cooldown window of `edge`/`origin` dedup and the memory of `trace` dedup, ms. Default 300000 (5 min). */
  readonly cooldownMs?: number;
  /** Free text carried into Alertmanager annotations and logs. */
  readonly description?: string;
}

/** A rule ready to run: its condition compiled, defaults applied. */
export interface CompiledRule {
  readonly type: string;
  readonly severity: Severity;
  readonly dedup: DedupScope;
  readonly cooldownMs: number;
  readonly description: string;
  readonly condition: CompiledCondition;
}

export const DEFAULT_COOLDOWN_MS = 300_000;

/** The seed's three alerts: the defaults when the config lists none. */
export const SEED_ALERT_RULES: readonly AlertRuleSpec[] = Object.freeze([
  {
    type: "latency_spike",
    condition: "anomaly_score > 0.9 AND total_duration > p99_baseline * 2",
    severity: "high",
    description: "trace far slower than its group's p99 and isolated by the model",
  },
  {
    type: "unusual_path",
    condition: "new_service_combination = true",
    severity: "medium",
    description: "trace used a caller→callee service edge the model has not seen",
  },
  {
    type: "cascade_failure",
    condition: "error_count > 5 AND affected_services > 3",
    severity: "critical",
    description: "errors spread over several services of one trace",
  },
]);

const TYPE_RE = /^[a-z][a-z0-9_]*$/;

function defaultDedup(type: string): DedupScope {
  if (type === "unusual_path") return "edge";
  if (type === "cascade_failure") return "origin";
  return "trace";
}

function invalid(message: string, path: string): TracewatchError {
  return new TracewatchError("TW_CONFIG_INVALID", `${path}: ${message}`, { details: { path } });
}

/**
 * Validates and compiles rules. Throws TW_CONFIG_INVALID (bad type, duplicate type, bad severity
 * or cooldown, with the config path) or TW_CONDITION_INVALID (bad condition, naming the alert).
 */
export function compileRules(
  specs: readonly AlertRuleSpec[],
  threshold: number,
  path = "spec.alerts",
): CompiledRule[] {
  const seen = new Set<string>();
  return specs.map((spec, i) => {
    const at = `${path}[${i}]`;
    if (!TYPE_RE.test(spec.type))
      throw invalid(`type "${spec.type}" must match ${TYPE_RE.source}`, `${at}.type`);
    if (seen.has(spec.type)) throw invalid(`duplicate alert type "${spec.type}"`, `${at}.type`);
    seen.add(spec.type);
    if (!isSeverity(spec.severity))
      throw invalid(`unknown severity "${String(spec.severity)}"`, `${at}.severity`);
    const cooldownMs = spec.cooldownMs ?? DEFAULT_COOLDOWN_MS;
    if (!Number.isFinite(cooldownMs) || cooldownMs < 0)
      throw invalid("cooldown must be a non-negative duration", `${at}.cooldown`);
    return {
      type: spec.type,
      severity: spec.severity,
      dedup: spec.dedup ?? defaultDedup(spec.type),
      cooldownMs,
      description: spec.description ?? "",
      condition: compileCondition(spec.type, spec.condition, { threshold }),
    };
  });
}

/** An alert rule as the config loader produces it (seed keys; `cooldown` already in ms). */
export interface AlertRuleConfig {
  readonly type: string;
  readonly condition: string;
  readonly severity: Severity;
  /** ms; default: `defaultCooldownMs`. */
  readonly cooldown?: number;
  readonly description?: string;
  readonly dedup?: DedupScope;
  /** false keeps the rule in the file (still validated) without evaluating it. Default true. */
  readonly enabled?: boolean;
}

/**
 * Validates every configured rule (disabled ones too, so a typo never waits until it is enabled)
 * and returns the enabled ones compiled. Error paths use the config's own indexes.
 */
export function compileRulesFromConfig(
  alerts: readonly AlertRuleConfig[],
  options: { readonly threshold: number; readonly defaultCooldownMs?: number; readonly path?: string },
): CompiledRule[] {
  const specs: AlertRuleSpec[] = alerts.map((a) => ({
    type: a.type,
    condition: a.condition,
    severity: a.severity,
    cooldownMs: a.cooldown ?? options.defaultCooldownMs ?? DEFAULT_COOLDOWN_MS,
    ...(a.description === undefined ? {} : { description: a.description }),
    ...(a.dedup === undefined ? {} : { dedup: a.dedup }),
  }));
  const compiled = compileRules(specs, options.threshold, options.path);
  return compiled.filter((_rule, i) => alerts[i]?.enabled !== false);
}
