import type { ScoredTrace } from "../../domain/features.js";
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
  constructor(private readonly rules: readonly CompiledRule[]) {}

  evaluate(trace: ScoredTrace): RuleOutcome[] {
    const out: RuleOutcome[] = [];
    for (const rule of this.rules) {
      const result = rule.condition.evaluate(trace);
      if (result === true) out.push({ kind: "fired", rule });
      else if (result === null) out.push({ kind: "unknown", rule });
    }
    return out;
  }
}
