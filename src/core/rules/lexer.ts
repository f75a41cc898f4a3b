import { ConditionSyntaxError } from "./diagnostics.js";

export type TokenKind =
  "number" | "string" | "ident" | "keyword" | "op" | "lparen" | "rparen" | "lbracket" | "rbracket" | "end";

/** One token of a condition. `column` is 1-based; keywords are upper-cased in `text`. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly column: number;
  /** Numeric value for `number`, unescaped text for `string`. */
  readonly value?: number | string;
}

const KEYWORDS = new Set(["AND", "OR", "NOT", "TRUE", "FALSE"]);
const TWO_CHAR_OPS = new Set(["==", "!=", "<=", ">=", "=~", "!~"]);
const ONE_CHAR_OPS = new Set(["+", "-", "*", "/", "<", ">", "="]);
/** Operators from other languages, with the word the condition language uses instead. */
const FOREIGN_OPS: Readonly<Record<string, string>> = { "&&": "AND", "||": "OR", "<>": "!=" };

const isDigit = (c: string): boolean => c >= "0" && c <= "9";
const isIdentStart = (c: string): boolean => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
const isIdentPart = (c: string): boolean => isIdentStart(c) || isDigit(c) || c === ".";

/** Splits a condition into tokens, ending with an `end` token. Throws ConditionSyntaxError. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i += 1;
      continue;
    }
    const token = readToken(source, i);
    tokens.push(token.token);
    i = token.next;
  }
  tokens.push({ kind: "end", text: "", column: source.length + 1 });
  return tokens;
}

function readToken(source: string, i: number): { token: Token; next: number } {
  const c = source.charAt(i);
  const column = i + 1;
  if (isDigit(c) || (c === "." && isDigit(source.charAt(i + 1)))) return readNumber(source, i);
  if (isIdentStart(c)) {
    let j = i + 1;
    while (j < source.length && isIdentPart(source.charAt(j))) j += 1;
    const text = source.slice(i, j);
    const upper = text.toUpperCase();
    if (KEYWORDS.has(upper)) return { token: { kind: "keyword", text: upper, column }, next: j };
    return { token: { kind: "ident", text, column }, next: j };
  }
  if (c === "'" || c === '"') return readString(source, i);
  if (c === "(") return { token: { kind: "lparen", text: c, column }, next: i + 1 };
  if (c === ")") return { token: { kind: "rparen", text: c, column }, next: i + 1 };
  if (c === "[") return { token: { kind: "lbracket", text: c, column }, next: i + 1 };
  if (c === "]") return { token: { kind: "rbracket", text: c, column }, next: i + 1 };
  const two = source.slice(i, i + 2);
  const instead = FOREIGN_OPS[two];
  if (instead !== undefined)
    throw new ConditionSyntaxError({ column, expected: `"${instead}"`, found: `"${two}"` });
  if (TWO_CHAR_OPS.has(two)) return { token: { kind: "op", text: two, column }, next: i + 2 };
  if (ONE_CHAR_OPS.has(c)) return { token: { kind: "op", text: c, column }, next: i + 1 };
  if (c === "!") throw new ConditionSyntaxError({ column, expected: '"NOT" or "!="', found: '"!"' });
  throw new ConditionSyntaxError({
    column,
    expected: "a number, identifier, string, operator or parenthesis",
    found: `"${c}"`,
  });
}

function readNumber(source: string, i: number): { token: Token; next: number } {
  let j = i;
  while (j < source.length && isDigit(source.charAt(j))) j += 1;
  if (source.charAt(j) === ".") {
    j += 1;
    while (j < source.length && isDigit(source.charAt(j))) j += 1;
  }
  if (source.charAt(j) === "e" || source.charAt(j) === "E") {
    let k = j + 1;
    if (source.charAt(k) === "+" || source.charAt(k) === "-") k += 1;
    if (isDigit(source.charAt(k))) {
      while (k < source.length && isDigit(source.charAt(k))) k += 1;
      j = k;
    }
  }
  if (isIdentStart(source.charAt(j)) || source.charAt(j) === ".") {
    throw new ConditionSyntaxError({
      column: j + 1,
      expected: "an operator after the number",
      found: `"${source.charAt(j)}"`,
    });
  }
  const text = source.slice(i, j);
  return { token: { kind: "number", text, column: i + 1, value: Number(text) }, next: j };
}

function readString(source: string, i: number): { token: Token; next: number } {
  const quote = source.charAt(i);
  let value = "";
  let j = i + 1;
  while (j < source.length) {
    const c = source.charAt(j);
    if (c === "\\" && j + 1 < source.length) {
      value += source.charAt(j + 1);
      j += 2;
      continue;
    }
    if (c === quote)
      return { token: { kind: "string", text: source.slice(i, j + 1), column: i + 1, value }, next: j + 1 };
    value += c;
    j += 1;
  }
  throw new ConditionSyntaxError({
    column: i + 1,
    expected: `a closing ${quote} for this string`,
    found: "the end of the condition",
  });
}
