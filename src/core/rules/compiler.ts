import type { ScoredTrace } from "../../domain/features.js";
import { closest } from "../closest.js";
import { ConditionSyntaxError, conditionError } from "./diagnostics.js";
import { parseCondition, type ComparisonOp, type Node } from "./parser.js";
import { VOCABULARY, IDENTIFIER_NAMES, type ValueType, type VocabularyContext } from "./vocabulary.js";

type Fn<T> = (t: ScoredTrace) => T | null;
type Typed =
  | { readonly type: "number"; readonly fn: Fn<number>; readonly constant?: number }
  | { readonly type: "boolean"; readonly fn: Fn<boolean> }
  | { readonly type: "string"; readonly fn: Fn<string> };

/** A condition compiled once at start-up into closures. */
export interface CompiledCondition {
  readonly source: string;
  /** Identifiers the condition reads, sorted. */
  readonly identifiers: readonly string[];
  /** True when any identifier is model-derived (such a condition can be unknown while warming up). */
  readonly usesModel: boolean;
  /** True, false, or null when unknown (a model-derived value is missing). Only `true` fires. */
  evaluate(trace: ScoredTrace): boolean | null;
}

/**
 * Parses, type-checks and compiles `source`. Throws TracewatchError TW_CONDITION_INVALID naming
 * `alert`, the 1-based column, what was expected and a caret excerpt.
 */
export function compileCondition(alert: string, source: string, ctx: VocabularyContext): CompiledCondition {
  try {
    const used = new Set<string>();
    const typed = new Checker(ctx, used).check(parseCondition(source));
    if (typed.type !== "boolean") {
      throw new ConditionSyntaxError({
        column: 1,
        expected: "a condition that is true or false",
        found: `a ${typed.type} expression`,
      });
    }
    const identifiers = [...used].sort();
    return {
      source,
      identifiers,
      usesModel: identifiers.some((name) => VOCABULARY[name]?.modelDerived === true),
      evaluate: typed.fn,
    };
  } catch (err) {
    if (err instanceof ConditionSyntaxError) throw conditionError(alert, source, err.problem);
    throw err;
  }
}

function mismatch(node: Node, expected: string, found: ValueType): ConditionSyntaxError {
  return new ConditionSyntaxError({ column: node.column, expected, found: `a ${found}` });
}

class Checker {
  constructor(
    private readonly ctx: VocabularyContext,
    private readonly used: Set<string>,
  ) {}

  check(node: Node): Typed {
    switch (node.kind) {
      case "number":
        return { type: "number", fn: () => node.value, constant: node.value };
      case "boolean":
        return { type: "boolean", fn: () => node.value };
      case "string":
        return { type: "string", fn: () => node.value };
      case "ident":
        return this.identifier(node.name, node.column);
      case "negate": {
        const f = this.number(node.operand, "a number after unary minus");
        return {
          type: "number",
          fn: (t) => {
            const v = f(t);
            return v === null ? null : -v;
          },
        };
      }
      case "not": {
        const f = this.boolean(node.operand, "a true/false operand for NOT");
        return {
          type: "boolean",
          fn: (t) => {
            const v = f(t);
            return v === null ? null : !v;
          },
        };
      }
      case "arith":
        return {
          type: "number",
          fn: this.arith(
            node.op,
            this.number(node.left, `a number left of "${node.op}"`),
            this.number(node.right, `a number right of "${node.op}"`),
          ),
        };
      case "logical":
        return {
          type: "boolean",
          fn: this.logical(
            node.op,
            this.boolean(node.left, `a true/false operand for ${node.op}`),
            this.boolean(node.right, `a true/false operand for ${node.op}`),
          ),
        };
      case "compare":
        return { type: "boolean", fn: this.compare(node) };
    }
  }

  private identifier(name: string, column: number): Typed {
    const entry = VOCABULARY[name];
    if (entry === undefined) {
      const hint = closest(name, IDENTIFIER_NAMES);
      const expected =
        hint === undefined
          ? `a known identifier (${IDENTIFIER_NAMES.join(", ")})`
          : `a known identifier (did you mean "${hint}"?)`;
      throw new ConditionSyntaxError({ column, expected, found: `unknown identifier "${name}"` });
    }
    this.used.add(name);
    const read = entry.read;
    const ctx = this.ctx;
    return { type: entry.type, fn: (t: ScoredTrace) => read(t, ctx) } as Typed;
  }

  private number(node: Node, expected: string): Fn<number> {
    const typed = this.check(node);
    if (typed.type !== "number") throw mismatch(node, expected, typed.type);
    return typed.fn;
  }

  private boolean(node: Node, expected: string): Fn<boolean> {
    const typed = this.check(node);
    if (typed.type !== "boolean") throw mismatch(node, expected, typed.type);
    return typed.fn;
  }

  private arith(op: string, l: Fn<number>, r: Fn<number>): Fn<number> {
    const both =
      (combine: (a: number, b: number) => number | null): Fn<number> =>
      (t) => {
        const a = l(t);
        if (a === null) return null;
        const b = r(t);
        return b === null ? null : combine(a, b);
      };
    if (op === "+") return both((a, b) => a + b);
    if (op === "-") return both((a, b) => a - b);
    if (op === "*") return both((a, b) => a * b);
    // Division by zero is unknown rather than Infinity, so it never fires a comparison.
    return both((a, b) => (b === 0 ? null : a / b));
  }

  private logical(op: "AND" | "OR", l: Fn<boolean>, r: Fn<boolean>): Fn<boolean> {
    // Three-valued (Kleene) logic: unknown only survives when the known side does not decide.
    if (op === "AND") {
      return (t) => {
        const a = l(t);
        if (a === false) return false;
        const b = r(t);
        if (b === false) return false;
        return a === null || b === null ? null : true;
      };
    }
    return (t) => {
      const a = l(t);
      if (a === true) return true;
      const b = r(t);
      if (b === true) return true;
      return a === null || b === null ? null : false;
    };
  }

  private compare(node: Extract<Node, { kind: "compare" }>): Fn<boolean> {
    const left = this.check(node.left);
    const right = this.check(node.right);
    const ordering = node.op !== "=" && node.op !== "!=";
    if (ordering && left.type !== "number")
      throw mismatch(node.left, `a number left of "${node.op}"`, left.type);
    if (left.type !== right.type)
      throw mismatch(
        node.right,
        `a ${left.type} right of "${node.op}" (same type as the left side)`,
        right.type,
      );
    const test = comparator(node.op);
    const l = left.fn as Fn<number | string | boolean>;
    if (right.type === "number" && right.constant !== undefined) {
      const k = right.constant;
      return (t) => {
        const a = l(t);
        return a === null ? null : test(a, k);
      };
    }
    const r = right.fn as Fn<number | string | boolean>;
    return (t) => {
      const a = l(t);
      if (a === null) return null;
      const b = r(t);
      return b === null ? null : test(a, b);
    };
  }
}

function comparator(
  op: ComparisonOp,
): (a: number | string | boolean, b: number | string | boolean) => boolean {
  switch (op) {
    case "=":
      return (a, b) => a === b;
    case "!=":
      return (a, b) => a !== b;
    case "<":
      return (a, b) => a < b;
    case "<=":
      return (a, b) => a <= b;
    case ">":
      return (a, b) => a > b;
    case ">=":
      return (a, b) => a >= b;
  }
}
