import type { ScoredTrace } from "../../domain/features.js";
import type { CompletedTrace } from "../../domain/trace.js";
import type { Clock } from "../clock.js";
import { RuleEngine } from "../rules/engine.js";
import type { CompiledRule } from "../rules/rules.js";
import { passesMinSeverity } from "../rules/severity.js";
import type { Alert } from "./alert.js";
import { analyse, buildAlert, originKey } from "./builder.js";
import { alertDescription } from "./describe.js";
import { CooldownWindows } from "./dedup.js";
import { Redactor } from "./redaction.js";
import type { TraceAnalysis } from "./trace-analysis.js";

/** What happened to one rule on one trace (rules whose condition was false are left out). */
export type AlertDecision =
  | { readonly kind: "emit"; readonly alert: Alert }
  | {
      readonly kind: "suppressed";
      readonly type: string;
      readonly reason: "cooldown" | "min_severity";
      readonly keys: readonly string[];
    }
  | { readonly kind: "warming_up"; readonly type: string };

export interface AlerterOptions {
  /** metadata.name, carried as `detector`. */
  readonly detector: string;
  readonly rules: readonly CompiledRule[];
  readonly clock: Clock;
  /** detection.threshold (anomalous = anomaly_score >= threshold). Default 0.95. */
  readonly threshold?: number;
  /** detection.min_severity: alerts whose severity weight is below it are not emitted. Default 0.7. */
  readonly minSeverity?: number;
  /** Redaction applied to span attributes put in alerts. Default: none. */
  readonly redactor?: Redactor;
}

/**
 * Turns scored traces into alert decisions: evaluates the rules, applies min_severity, collapses
 * repeats inside cooldown windows and builds the alerts with their evidence. Pure; time comes
 * from the injected clock.
 */
export class Alerter {
  private readonly engine: RuleEngine;
  private readonly windows = new Map<string, CooldownWindows>();
  private readonly options: Required<Omit<AlerterOptions, "rules">>;

  constructor(options: AlerterOptions) {
    this.engine = new RuleEngine(options.rules);
    this.options = {
      detector: options.detector,
      clock: options.clock,
      threshold: options.threshold ?? 0.95,
      minSeverity: options.minSeverity ?? 0.7,
      redactor: options.redactor ?? new Redactor(),
    };
    for (const rule of options.rules) {
      this.windows.set(rule.type, new CooldownWindows({ clock: options.clock, cooldownMs: rule.cooldownMs }));
    }
  }

  /** Decisions for one scored trace; `trace` (its spans) adds path, origin and attributes. */
  process(scored: ScoredTrace, trace?: CompletedTrace): AlertDecision[] {
    const outcomes = this.engine.evaluate(scored, this.engine.readsSpans ? trace?.spans : undefined);
    if (outcomes.length === 0) return [];
    // The spans are analysed once, and only for a rule that needs it: an origin-scoped rule's
    // dedup key, or an alert that is emitted (not for matches a cooldown suppresses).
    let analysis: TraceAnalysis | undefined;
    const analysed = (): TraceAnalysis => (analysis ??= analyse(trace));
    const decisions: AlertDecision[] = [];
    for (const outcome of outcomes) {
      const rule = outcome.rule;
      if (outcome.kind === "unknown") {
        decisions.push({ kind: "warming_up", type: rule.type });
        continue;
      }
      if (!passesMinSeverity(rule.severity, this.options.minSeverity)) {
        decisions.push({ kind: "suppressed", type: rule.type, reason: "min_severity", keys: [] });
        continue;
      }
      decisions.push(this.decide(rule, scored, analysed));
    }
    return decisions;
  }

  private decide(rule: CompiledRule, scored: ScoredTrace, analysed: () => TraceAnalysis): AlertDecision {
    const keys = dedupKeys(rule, scored, analysed);
    const result = this.windows.get(rule.type)!.admit(keys);
    if (result.admitted.length === 0)
      return { kind: "suppressed", type: rule.type, reason: "cooldown", keys: result.suppressed };
    const dedup = {
      scope: rule.dedup,
      keys: result.admitted,
      cooldownMs: rule.cooldownMs,
      suppressedSinceLast: result.suppressedSinceLast,
    };
    const { detector, threshold, redactor, clock } = this.options;
    const ctx = { detector, threshold, redactor, scored, analysis: analysed(), nowMs: clock.now() };
    const alert = buildAlert(rule, ctx, dedup);
    return { kind: "emit", alert: { ...alert, description: alertDescription(alert, rule.description) } };
  }
}

function dedupKeys(
  rule: CompiledRule,
  scored: ScoredTrace,
  analysed: () => TraceAnalysis,
): readonly string[] {
  switch (rule.dedup) {
    case "trace":
      return [scored.features.traceId];
    case "edge":
      // A rule scoped by edge whose condition fired without new edges still alerts once per trace.
      return scored.new_edges.length > 0 ? scored.new_edges : [scored.features.traceId];
    case "origin":
      return [originKey({ scored, analysis: analysed() })];
  }
}
