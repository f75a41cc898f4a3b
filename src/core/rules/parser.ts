import { ConditionSyntaxError } from "./diagnostics.js";
import { tokenize, type Token } from "./lexer.js";

export type ArithmeticOp = "+" | "-" | "*" | "/";
export type ComparisonOp = "=" | "!=" | "<" | "<=" | ">" | ">=";
export type LogicalOp = "AND" | "OR";

/** Syntax tree of a condition. Every node keeps the 1-based column it starts at. */
export type Node =
  | { readonly kind: "number"; readonly value: number; readonly column: number }
  | { readonly kind: "boolean"; readonly value: boolean; readonly column: number }
  | { readonly kind: "string"; readonly value: string; readonly column: number }
  | { readonly kind: "ident"; readonly name: string; readonly column: number }
  /** `attributes['key']`: a span attribute (see span-vocabulary.ts). */
  | { readonly kind: "attribute"; readonly key: string; readonly column: number }
  /** `left =~ 'pattern'` (or `!~`): a regular expression match; `patternColumn` is the quote's. */
  | {
      readonly kind: "match";
      readonly negated: boolean;
      readonly left: Node;
      readonly pattern: string;
      readonly patternColumn: number;
      readonly column: number;
    }
  | { readonly kind: "negate"; readonly operand: Node; readonly column: number }
  | { readonly kind: "not"; readonly operand: Node; readonly column: number }
  | {
      readonly kind: "arith";
      readonly op: ArithmeticOp;
      readonly left: Node;
      readonly right: Node;
      readonly column: number;
    }
  | {
      readonly kind: "compare";
      readonly op: ComparisonOp;
      readonly left: Node;
      readonly right: Node;
      readonly column: number;
    }
  | {
      readonly kind: "logical";
      readonly op: LogicalOp;
      readonly left: Node;
      readonly right: Node;
      readonly column: number;
    };

const COMPARISONS: ReadonlySet<string> = new Set(["=", "==", "!=", "<", "<=", ">", ">="]);
const OPERAND = 'a number, string, TRUE, FALSE, identifier, "(", "-" or NOT';
const MATCHES: ReadonlySet<string> = new Set(["=~", "!~"]);
/** The one identifier that takes a `['key']` subscript. */
export const ATTRIBUTES = "attributes";

/** Parses a condition into a syntax tree. Throws ConditionSyntaxError with the column. */
export function parseCondition(source: string): Node {
  if (source.trim() === "") {
    throw new ConditionSyntaxError({ column: 1, expected: "a condition", found: "an empty string" });
  }
  const parser = new Parser(tokenize(source));
  const node = parser.parseOr();
  parser.expectEnd();
  return node;
}

/**
 * A pattern's text as written between its quotes: backslashes stay (`'\\d+'` is the regex `\d+`),
 * only an escaped quote loses its backslash.
 */
function rawPattern(quoted: string): string {
  const quote = quoted.charAt(0);
  return quoted.slice(1, -1).split(`\\${quote}`).join(quote);
}

function describe(token: Token): string {
  if (token.kind === "end") return "the end of the condition";
  return `"${token.text}"`;
}

class Parser {
  private pos = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    // The token list always ends with an `end` token and the parser never moves past it.
    return this.tokens[this.pos] ?? this.tokens[this.tokens.length - 1]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== "end") this.pos += 1;
    return token;
  }

  private isKeyword(text: string): boolean {
    const token = this.peek();
    return token.kind === "keyword" && token.text === text;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind === "end") return;
    const expected =
      token.kind === "rparen"
        ? 'AND, OR or the end of the condition (unbalanced ")")'
        : "AND, OR, an operator or the end of the condition";
    throw new ConditionSyntaxError({ column: token.column, expected, found: describe(token) });
  }

  parseOr(): Node {
    let left = this.parseAnd();
    while (this.isKeyword("OR")) {
      const op = this.next();
      left = { kind: "logical", op: "OR", left, right: this.parseAnd(), column: op.column };
    }
    return left;
  }

  private parseAnd(): Node {
    let left = this.parseNot();
    while (this.isKeyword("AND")) {
      const op = this.next();
      left = { kind: "logical", op: "AND", left, right: this.parseNot(), column: op.column };
    }
    return left;
  }

  private parseNot(): Node {
    if (this.isKeyword("NOT")) {
      const op = this.next();
      return { kind: "not", operand: this.parseNot(), column: op.column };
    }
    return this.parseComparison();
  }

  private parseComparison(): Node {
    const left = this.parseSum();
    const token = this.peek();
    if (token.kind === "op" && MATCHES.has(token.text)) return this.parseMatch(left, token);
    if (token.kind !== "op" || !COMPARISONS.has(token.text)) return left;
    this.next();
    const right = this.parseSum();
    this.noChain();
    const op = (token.text === "==" ? "=" : token.text) as ComparisonOp;
    return { kind: "compare", op, left, right, column: token.column };
  }

  private parseMatch(left: Node, op: Token): Node {
    this.next();
    const pattern = this.next();
    if (pattern.kind !== "string") {
      const expected = `a quoted regular expression right of "${op.text}"`;
      throw new ConditionSyntaxError({ column: pattern.column, expected, found: describe(pattern) });
    }
    this.noChain();
    return {
      kind: "match",
      negated: op.text === "!~",
      left,
      pattern: rawPattern(pattern.text),
      patternColumn: pattern.column,
      column: op.column,
    };
  }

  private noChain(): void {
    const after = this.peek();
    if (after.kind === "op" && (COMPARISONS.has(after.text) || MATCHES.has(after.text))) {
      throw new ConditionSyntaxError({
        column: after.column,
        expected: "AND or OR between comparisons (comparisons do not chain)",
        found: describe(after),
      });
    }
  }

  private parseSum(): Node {
    let left = this.parseProduct();
    for (let t = this.peek(); t.kind === "op" && (t.text === "+" || t.text === "-"); t = this.peek()) {
      this.next();
      left = {
        kind: "arith",
        op: t.text as ArithmeticOp,
        left,
        right: this.parseProduct(),
        column: t.column,
      };
    }
    return left;
  }

  private parseProduct(): Node {
    let left = this.parseUnary();
    for (let t = this.peek(); t.kind === "op" && (t.text === "*" || t.text === "/"); t = this.peek()) {
      this.next();
      left = { kind: "arith", op: t.text as ArithmeticOp, left, right: this.parseUnary(), column: t.column };
    }
    return left;
  }

  private parseUnary(): Node {
    const token = this.peek();
    if (token.kind === "op" && token.text === "-") {
      this.next();
      return { kind: "negate", operand: this.parseUnary(), column: token.column };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Node {
    const token = this.next();
    switch (token.kind) {
      case "number":
        return { kind: "number", value: token.value as number, column: token.column };
      case "string":
        return { kind: "string", value: token.value as string, column: token.column };
      case "ident":
        if (token.text === ATTRIBUTES && this.peek().kind === "lbracket") return this.parseAttribute(token);
        return { kind: "ident", name: token.text, column: token.column };
      case "lparen":
        return this.parseGroup(token);
      case "keyword":
        if (token.text === "TRUE" || token.text === "FALSE") {
          return { kind: "boolean", value: token.text === "TRUE", column: token.column };
        }
        break;
      default:
        break;
    }
    throw new ConditionSyntaxError({ column: token.column, expected: OPERAND, found: describe(token) });
  }

  private parseAttribute(ident: Token): Node {
    this.next();
    const key = this.next();
    if (key.kind !== "string") {
      throw new ConditionSyntaxError({
        column: key.column,
        expected: `a quoted attribute key, as in attributes['http.path']`,
        found: describe(key),
      });
    }
    const close = this.next();
    if (close.kind !== "rbracket") {
      const expected = `"]" to close attributes[ at column ${ident.column + ATTRIBUTES.length}`;
      throw new ConditionSyntaxError({ column: close.column, expected, found: describe(close) });
    }
    return { kind: "attribute", key: key.value as string, column: ident.column };
  }

  private parseGroup(open: Token): Node {
    const inner = this.parseOr();
    const close = this.next();
    if (close.kind !== "rparen") {
      const expected = `")" to close the "(" at column ${open.column}`;
      throw new ConditionSyntaxError({ column: close.column, expected, found: describe(close) });
    }
    return inner;
  }
}
