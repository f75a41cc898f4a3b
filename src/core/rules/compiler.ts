import type { ScoredTrace } from "../../domain/features.js";
import { NO_ATTRIBUTES, type AttributeValue, type Span } from "../../domain/span.js";
import { closest } from "../closest.js";
import { ConditionSyntaxError, conditionError } from "./diagnostics.js";
import { parseCondition, type ComparisonOp, type Node } from "./parser.js";
import { compilePattern, matchBounded } from "./regex.js";
import { attributeAs, SPAN_CONSTANTS, SPAN_VOCABULARY } from "./span-vocabulary.js";
import { VOCABULARY, IDENTIFIER_NAMES, type ValueType, type VocabularyContext } from "./vocabulary.js";

/** Evaluates on a trace; `s` is the span in hand while a span-level comparison walks `spans`. */
type Fn<T> = (t: ScoredTrace, s: Span | undefined, spans: readonly Span[]) => T | null;
/** `span`: the value reads a span field, so the comparison holding it walks the spans. */
type Typed = (
  | { readonly type: "number"; readonly fn: Fn<number>; readonly constant?: number }
  | { readonly type: "boolean"; readonly fn: Fn<boolean> }
  | { readonly type: "string"; readonly fn: Fn<string> }
  | { readonly type: "attribute"; readonly fn: Fn<AttributeValue> }
) & { readonly span?: boolean };

const NO_SPANS: readonly Span[] = [];
const ALL_NAMES = [...IDENTIFIER_NAMES, ...Object.keys(SPAN_VOCABULARY), "attributes['key']"].sort();

/** A condition compiled once at start-up into closures. */
export interface CompiledCondition {
  readonly source: string;
  /** Identifiers the condition reads, sorted. */
  readonly identifiers: readonly string[];
  /** True when any identifier is model-derived (such a condition can be unknown while warming up). */
  readonly usesModel: boolean;
  /** True when the condition reads span fields (`status.code`, `attributes['key']`, ...). */
  readonly usesSpans: boolean;
  /**
   * True, false, or null when unknown (a model-derived value is missing). Only `true` fires.
   * A comparison of span fields is true when one of `spans` satisfies it (none given: false).
   */
  evaluate(trace: ScoredTrace, spans?: readonly Span[]): boolean | null;
}

/**
 * Parses, type-checks and compiles `source`. Throws TracewatchError TW_CONDITION_INVALID naming
 * `alert`, the 1-based column, what was expected and a caret excerpt.
 */
export function compileCondition(
  alert: string,
  source: string,
  ctx: VocabularyContext,
  /** What `alert` names in errors: `alert` (default), or e.g. `sampling rule`. */
  subject = "alert",
): CompiledCondition {
  try {
    const used = new Set<string>();
    const checker = new Checker(ctx, used);
    const typed = checker.check(parseCondition(source));
    if (typed.type !== "boolean") {
      throw new ConditionSyntaxError({
        column: 1,
        expected: "a condition that is true or false",
        found: `a ${typed.type} expression`,
      });
    }
    const identifiers = [...used].sort();
    const fn = typed.fn;
    return {
      source,
      identifiers,
      usesModel: identifiers.some((name) => VOCABULARY[name]?.modelDerived === true),
      usesSpans: checker.readsSpans,
      evaluate: (trace, spans = NO_SPANS) => fn(trace, undefined, spans),
    };
  } catch (err) {
    if (err instanceof ConditionSyntaxError) throw conditionError(alert, source, err.problem, subject);
    throw err;
  }
}

function mismatch(node: Node, expected: string, found: ValueType | "attribute"): ConditionSyntaxError {
  return new ConditionSyntaxError({ column: node.column, expected, found: `a ${found}` });
}

class Checker {
  readsSpans = false;

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
      case "attribute": {
        this.readsSpans = true;
        const key = node.key;
        return { type: "attribute", span: true, fn: (_t, s) => s?.attributes[key] ?? null };
      }
      case "match":
        return { type: "boolean", fn: this.match(node) };
      case "negate": {
        const operand = this.check(node.operand);
        const f = this.numeric(node.operand, operand, "a number after unary minus");
        return {
          type: "number",
          span: operand.span === true,
          fn: (t, s, spans) => {
            const v = f(t, s, spans);
            return v === null ? null : -v;
          },
        };
      }
      case "not": {
        const f = this.boolean(node.operand, "a true/false operand for NOT");
        return {
          type: "boolean",
          fn: (t, s, spans) => {
            const v = f(t, s, spans);
            return v === null ? null : !v;
          },
        };
      }
      case "arith": {
        const left = this.check(node.left);
        const right = this.check(node.right);
        return {
          type: "number",
          span: left.span === true || right.span === true,
          fn: this.arith(
            node.op,
            this.numeric(node.left, left, `a number left of "${node.op}"`),
            this.numeric(node.right, right, `a number right of "${node.op}"`),
          ),
        };
      }
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
    if (entry === undefined) return this.spanIdentifier(name, column);
    this.used.add(name);
    const read = entry.read;
    const ctx = this.ctx;
    return { type: entry.type, fn: (t: ScoredTrace) => read(t, ctx) } as Typed;
  }

  private spanIdentifier(name: string, column: number): Typed {
    if (SPAN_CONSTANTS.has(name)) return { type: "string", fn: () => name };
    const entry = SPAN_VOCABULARY[name];
    if (entry === undefined) {
      const hint = closest(name, ALL_NAMES);
      const expected =
        hint === undefined
          ? `a known identifier (${ALL_NAMES.join(", ")})`
          : `a known identifier (did you mean "${hint}"?)`;
      throw new ConditionSyntaxError({ column, expected, found: `unknown identifier "${name}"` });
    }
    this.used.add(name);
    this.readsSpans = true;
    const read = entry.read;
    return { type: entry.type, span: true, fn: (_t, s) => (s === undefined ? null : read(s)) } as Typed;
  }

  /** The number `typed` (an attribute read as a number), or a type error at `node`. */
  private numeric(node: Node, typed: Typed, expected: string): Fn<number> {
    if (typed.type === "attribute") return asType(typed.fn, "number") as Fn<number>;
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
      (t, s, spans) => {
        const a = l(t, s, spans);
        if (a === null) return null;
        const b = r(t, s, spans);
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
      return (t, s, spans) => {
        const a = l(t, s, spans);
        if (a === false) return false;
        const b = r(t, s, spans);
        if (b === false) return false;
        return a === null || b === null ? null : true;
      };
    }
    return (t, s, spans) => {
      const a = l(t, s, spans);
      if (a === true) return true;
      const b = r(t, s, spans);
      if (b === true) return true;
      return a === null || b === null ? null : false;
    };
  }

  private compare(node: Extract<Node, { kind: "compare" }>): Fn<boolean> {
    const checked = resolve(this.check(node.left), this.check(node.right), node.op);
    const [left, right] = checked;
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
    let one: Fn<boolean>;
    if (right.type === "number" && right.constant !== undefined) {
      const k = right.constant;
      one = (t, s, spans) => {
        const a = l(t, s, spans);
        return a === null ? null : test(a, k);
      };
    } else {
      const r = right.fn as Fn<number | string | boolean>;
      one = (t, s, spans) => {
        const a = l(t, s, spans);
        if (a === null) return null;
        const b = r(t, s, spans);
        return b === null ? null : test(a, b);
      };
    }
    return left.span === true || right.span === true ? anySpan(one, featuresSettle(node)) : one;
  }

  private match(node: Extract<Node, { kind: "match" }>): Fn<boolean> {
    const compiled = compilePattern(node.pattern);
    if (!("regex" in compiled)) {
      throw new ConditionSyntaxError({
        column: node.patternColumn + 1 + compiled.offset,
        expected: compiled.reason,
        found: `the pattern '${node.pattern}'`,
      });
    }
    const left = this.check(node.left);
    const value =
      left.type === "attribute" ? (asType(left.fn, "string") as Fn<string>) : (left.fn as Fn<unknown>);
    if (left.type !== "attribute" && left.type !== "string")
      throw mismatch(node.left, `a string left of "${node.negated ? "!~" : "=~"}"`, left.type);
    const regex = compiled.regex;
    const negated = node.negated;
    const one: Fn<boolean> = (t, s, spans) => {
      const v = value(t, s, spans);
      return v === null ? null : matchBounded(regex, v as string) !== negated;
    };
    if (node.left.kind === "attribute") return anyAttributeMatch(node.left.key, regex, negated, one);
    return left.span === true ? anySpan(one) : one;
  }
}

/** Gives an attribute operand the type of the other side (both attributes: strings). */
function resolve(left: Typed, right: Typed, op: ComparisonOp): [Typed, Typed] {
  const ordering = op !== "=" && op !== "!=";
  const want = (other: Typed): ValueType =>
    ordering ? "number" : other.type === "attribute" ? "string" : other.type;
  const as = (t: Typed, type: ValueType): Typed =>
    t.type !== "attribute" ? t : ({ type, span: true, fn: asType(t.fn, type) } as Typed);
  return [as(left, want(right)), as(right, want(left))];
}

function asType(fn: Fn<AttributeValue>, type: ValueType): Fn<number | string | boolean> {
  return (t, s, spans) => attributeAs(fn(t, s, spans) ?? undefined, type);
}

/**
 * A span-level comparison on the whole trace: true when some span satisfies it, false otherwise
 * (a span without the field, or an unknown operand, does not satisfy it; never unknown itself).
 * With `settle`, the spans are not walked when the trace's features give the answer; the features
 * describe exactly `spans` when they count as many (no repeated span id).
 */
function anySpan(one: Fn<boolean>, settle?: (t: ScoredTrace) => boolean | null): Fn<boolean> {
  return (t, s, spans) => {
    if (s !== undefined) return one(t, s, spans);
    if (settle !== undefined && t.features.span_count === spans.length) {
      const settled = settle(t);
      if (settled !== null) return settled;
    }
    for (const span of spans) if (one(t, span, spans) === true) return true;
    return false;
  };
}

/**
 * `attributes['key'] =~ 'pattern'` (or `!~`) on the whole trace: {@link anySpan} of `one` in a
 * single loop, each span's attribute read as a string as `one` reads it (absent, null or a list:
 * no match; a number or boolean: its text). `one` answers for the span in hand.
 */
function anyAttributeMatch(key: string, regex: RegExp, negated: boolean, one: Fn<boolean>): Fn<boolean> {
  return (t, s, spans) => {
    if (s !== undefined) return one(t, s, spans);
    for (let i = 0; i < spans.length; i++) {
      const attributes = (spans[i] as Span).attributes;
      // Most spans keep no attributes (the retention policy's default): one shared empty object.
      if (attributes === NO_ATTRIBUTES) continue;
      const v = attributes[key];
      if (v === undefined || v === null || typeof v === "object") continue;
      if (matchBounded(regex, typeof v === "string" ? v : String(v)) !== negated) return true;
    }
    return false;
  };
}

/**
 * For the span comparisons the trace's features settle (the seed's sampling policies'), the answer
 * from the features, null when they do not give it. `duration >` or `>=` a number: false when the
 * longest span (`max_span_duration`, from the same nanoseconds, 0 without a longer one) is not
 * beyond it, true when it is and lasted more than 0 ms (then it is a span's own duration).
 * `status.code == ERROR`: whether any span is an error span (`error_count`).
 */
function featuresSettle(
  node: Extract<Node, { kind: "compare" }>,
): ((t: ScoredTrace) => boolean | null) | undefined {
  const { left, right, op } = node;
  if (left.kind !== "ident") return undefined;
  if (left.name === "duration" && right.kind === "number" && (op === ">" || op === ">=")) {
    const k = right.value;
    return (t) => {
      const longest = t.features.max_span_duration;
      if (typeof longest !== "number") return null;
      if (op === ">" ? longest <= k : longest < k) return false;
      return longest > 0 ? true : null;
    };
  }
  const error =
    (right.kind === "ident" && right.name === "ERROR") ||
    (right.kind === "string" && right.value === "ERROR");
  if (left.name === "status.code" && op === "=" && error) return (t) => t.features.error_count > 0;
  return undefined;
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
