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
    if (token.kind !== "op" || !COMPARISONS.has(token.text)) return left;
    this.next();
    const right = this.parseSum();
    const after = this.peek();
    if (after.kind === "op" && COMPARISONS.has(after.text)) {
      throw new ConditionSyntaxError({
        column: after.column,
        expected: "AND or OR between comparisons (comparisons do not chain)",
        found: describe(after),
      });
    }
    const op = (token.text === "==" ? "=" : token.text) as ComparisonOp;
    return { kind: "compare", op, left, right, column: token.column };
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
