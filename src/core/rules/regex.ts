import { setFlagsFromString } from "node:v8";

/** Longest pattern accepted after `=~` / `!~`, characters. */
export const MAX_PATTERN_LENGTH = 256;
/** Only this many leading characters of a value are matched (a longer value is cut, not refused). */
export const MAX_MATCH_INPUT = 1_024;

/** Why a pattern is refused: `offset` is 0-based within the pattern. */
export interface PatternProblem {
  readonly offset: number;
  readonly reason: string;
}

/** A compiled pattern and whether V8's linear-time engine runs it. */
export interface SafePattern {
  readonly regex: RegExp;
  readonly linear: boolean;
}

/**
 * Refuses what can make a backtracking engine take exponential time or cannot run in linear time:
 * backreferences, lookaround, a quantifier applied to a group that holds a quantifier (`(a+)+`),
 * and patterns over {@link MAX_PATTERN_LENGTH}. Returns null when the pattern is in the subset.
 */
export function checkPattern(pattern: string): PatternProblem | null {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { offset: MAX_PATTERN_LENGTH, reason: `a pattern of at most ${MAX_PATTERN_LENGTH} characters` };
  }
  /** Per open group: whether it holds a quantifier. */
  const groups: boolean[] = [];
  let closedHadQuantifier = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    const afterGroup = closedHadQuantifier;
    closedHadQuantifier = false;
    if (c === "\\") {
      const n = pattern.charAt(i + 1);
      if ((n >= "1" && n <= "9") || n === "k") return { offset: i, reason: "no backreference" };
      i++;
    } else if (c === "[") {
      i = classEnd(pattern, i);
    } else if (c === "(") {
      if (/^\(\?<?[=!]/.test(pattern.slice(i, i + 4)))
        return { offset: i, reason: "no lookahead or lookbehind" };
      groups.push(false);
    } else if (c === ")") {
      closedHadQuantifier = groups.pop() === true;
    } else if (isQuantifier(pattern, i)) {
      if (afterGroup) return { offset: i, reason: "no quantifier on a group that holds a quantifier" };
      if (groups.length > 0) groups[groups.length - 1] = true;
      if (c === "{") i = pattern.indexOf("}", i);
      // A lazy or possessive-looking suffix belongs to this quantifier.
      if (pattern.charAt(i + 1) === "?") i++;
    }
  }
  return null;
}

function isQuantifier(pattern: string, i: number): boolean {
  const c = pattern.charAt(i);
  if (c === "*" || c === "+" || c === "?") return true;
  return c === "{" && /^\{\d+(,\d*)?\}/.test(pattern.slice(i));
}

/** Index of the `]` closing the character class opened at `open` (or the last index). */
function classEnd(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern.charAt(i) === "]") i++;
  for (; i < pattern.length; i++) {
    if (pattern.charAt(i) === "\\") i++;
    else if (pattern.charAt(i) === "]") return i;
  }
  return pattern.length - 1;
}

let linearEngine: boolean | undefined;
const LINEAR = "l";

/**
 * Whether V8's linear-time regular expression engine (the `l` flag) can be used. It is behind a
 * V8 flag that only gates the flag's syntax; enabled once, on first use.
 */
function hasLinearEngine(): boolean {
  if (linearEngine !== undefined) return linearEngine;
  if (!accepts(LINEAR)) setFlagsFromString("--enable-experimental-regexp-engine");
  linearEngine = accepts(LINEAR);
  return linearEngine;
}

function accepts(flags: string): boolean {
  try {
    new RegExp("a", flags);
    return true;
  } catch (err) {
    return !(err instanceof SyntaxError);
  }
}

/**
 * Compiles a pattern of the safe subset ({@link checkPattern}), or returns why it cannot be used.
 * Runs on the linear-time engine when V8 offers it, else on the backtracking one (the subset and
 * the input cap then bound the work).
 */
export function compilePattern(pattern: string): SafePattern | PatternProblem {
  const problem = checkPattern(pattern);
  if (problem !== null) return problem;
  try {
    if (hasLinearEngine()) return { regex: new RegExp(pattern, LINEAR), linear: true };
    return { regex: new RegExp(pattern), linear: false };
  } catch (err) {
    const reason =
      err instanceof Error ? err.message.replace(/^Invalid regular expression: /, "") : String(err);
    return { offset: 0, reason: `a valid regular expression (${reason})` };
  }
}

/** Tests the first {@link MAX_MATCH_INPUT} characters of `value`. */
export function matchBounded(regex: RegExp, value: string): boolean {
  return regex.test(value.length > MAX_MATCH_INPUT ? value.slice(0, MAX_MATCH_INPUT) : value);
}
