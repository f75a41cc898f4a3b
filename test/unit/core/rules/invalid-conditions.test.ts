import { describe, expect, it } from "vitest";
import { compileCondition } from "../../../../src/core/rules/compiler.js";
import { isTracewatchError, type TracewatchError } from "../../../../src/errors.js";

/** [condition, 1-based column of the problem, fragment of "expected ..."] */
const INVALID: [string, number, string][] = [
  ["", 1, "a condition"],
  ["   ", 1, "a condition"],
  ["anomaly_score >", 16, "a number, string, TRUE"],
  ["> 0.9", 1, "a number, string, TRUE"],
  ["anomaly_score > 0.9 AND", 24, "a number, string, TRUE"],
  ["anomaly_score > 0.9 AND AND error_count > 1", 25, "a number, string, TRUE"],
  ["(error_count > 5", 17, '")" to close the "(" at column 1'],
  ["error_count > 5)", 16, 'unbalanced ")"'],
  ["error_count > 5 error_count > 1", 17, "AND, OR, an operator"],
  ["anomaly_scor > 0.9", 1, "a known identifier"],
  ["Anomaly_Score > 0.9", 1, 'did you mean "anomaly_score"'],
  ["total_duration > p99_baselin * 2", 18, 'a known identifier (did you mean "p99_baseline"?)'],
  ["eror_count > 5", 1, 'did you mean "error_count"'],
  ["error_count > 5 && affected_services > 3", 17, '"AND"'],
  ["error_count > 5 || span_count > 1", 17, '"OR"'],
  ["error_count <> 5", 13, '"!="'],
  ["!new_service_combination", 1, '"NOT" or "!="'],
  ["error_count > 5 # comment", 17, "a number, identifier, string, operator"],
  ["root_service = 'frontend", 16, "a closing ' for this string"],
  ["error_count > 5abc", 16, "an operator after the number"],
  ["1 < error_count < 5", 17, "comparisons do not chain"],
  ["error_count", 1, "a condition that is true or false"],
  ["root_service", 1, "a condition that is true or false"],
  ["error_count + 1", 1, "a condition that is true or false"],
  ["root_service > 'a'", 1, 'a number left of ">"'],
  ["error_count = 'five'", 15, 'a number right of "="'],
  ["new_service_combination = 1", 27, 'a boolean right of "="'],
  ["error_count AND span_count > 1", 1, "a true/false operand for AND"],
  ["NOT error_count", 5, "a true/false operand for NOT"],
  ["root_service + 1 > 2", 1, 'a number left of "+"'],
  ["-new_service_combination", 2, "a number after unary minus"],
  ["span_count > 1 OR 'x'", 19, "a true/false operand for OR"],
  ["()", 2, "a number, string, TRUE"],
  ["error_count > 5 AND (affected_services > 3", 43, '")" to close the "(" at column 21'],
];

function compileError(source: string): TracewatchError {
  try {
    compileCondition("cascade_failure", source, { threshold: 0.95 });
  } catch (err) {
    if (isTracewatchError(err, "TW_CONDITION_INVALID")) return err;
    throw err;
  }
  throw new Error(`condition compiled: ${source}`);
}

describe("an invalid condition fails to compile", () => {
  it.each(INVALID)("%j at column %i expecting %s", (source, column, expected) => {
    const err = compileError(source);
    expect(err.details).toMatchObject({ alert: "cascade_failure", column, condition: source });
    expect(String(err.details?.expected)).toContain(expected);
    const [headline, excerpt, caret] = err.message.split("\n");
    expect(headline).toContain(`alert "cascade_failure": invalid condition at column ${column}: expected`);
    expect(excerpt).toBe(`  ${source}`);
    expect(caret).toBe(`  ${" ".repeat(column - 1)}^`);
  });

  it("has a table of at least 20 cases", () => {
    expect(INVALID.length).toBeGreaterThanOrEqual(20);
  });
});
