import type { ScoredTrace } from "../../domain/features.js";
import type { Span } from "../../domain/span.js";
import type { CompiledRule } from "./rules.js";

/** The outcome of one rule on one trace. */
export type RuleOutcome =
  | { readonly kind: "fired"; readonly rule: CompiledRule }
  | { readonly kind: "unknown"; readonly rule: CompiledRule };

/**
 * Evaluates every rule on a scored trace. Rules whose condition is false are left out; `unknown`
 * means the condition needed a model-derived value that is missing (warm-up) and did not fire.
 */
export class RuleEngine {
  /** True when a rule's condition reads span fields (it is then given the trace's spans). */
  readonly readsSpans: boolean;

  constructor(private readonly rules: readonly CompiledRule[]) {
    this.readsSpans = rules.some((r) => r.condition.usesSpans);
  }

  evaluate(trace: ScoredTrace, spans?: readonly Span[]): RuleOutcome[] {
    const out: RuleOutcome[] = [];
    for (const rule of this.rules) {
      const result = rule.condition.evaluate(trace, spans);
      if (result === true) out.push({ kind: "fired", rule });
      else if (result === null) out.push({ kind: "unknown", rule });
    }
    return out;
  }
}
