export { compileCondition, type CompiledCondition } from "./compiler.js";
export { conditionError, type ConditionProblem } from "./diagnostics.js";
export { RuleEngine, type RuleOutcome } from "./engine.js";
export { parseCondition, type Node } from "./parser.js";
export {
  compileRules,
  compileRulesFromConfig,
  DEFAULT_COOLDOWN_MS,
  SEED_ALERT_RULES,
  type AlertRuleConfig,
  type AlertRuleSpec,
  type CompiledRule,
  type DedupScope,
} from "./rules.js";
export {
  isSeverity,
  passesMinSeverity,
  SEVERITY_LEVELS,
  SEVERITY_WEIGHTS,
  type Severity,
} from "./severity.js";
export {
  IDENTIFIER_NAMES,
  VOCABULARY,
  type Identifier,
  type ValueType,
  type VocabularyContext,
} from "./vocabulary.js";
