import { TracewatchError } from "../../errors.js";

/** Where and why a condition failed to compile. Column is 1-based. */
export interface ConditionProblem {
  readonly column: number;
  readonly expected: string;
  readonly found: string;
}

/**
 * Builds the TW_CONDITION_INVALID error for `alert`: one line naming the alert, the column, what
 * was expected and what was found, then the condition with a caret under the column.
 */
export function conditionError(
  alert: string,
  source: string,
  problem: ConditionProblem,
  subject = "alert",
): TracewatchError {
  const caret = " ".repeat(Math.max(0, problem.column - 1)) + "^";
  const message =
    `${subject} "${alert}": invalid condition at column ${problem.column}: ` +
    `expected ${problem.expected}, found ${problem.found}\n  ${source}\n  ${caret}`;
  return new TracewatchError("TW_CONDITION_INVALID", message, {
    details: {
      alert,
      condition: source,
      column: problem.column,
      expected: problem.expected,
      found: problem.found,
    },
  });
}

/** Thrown inside the lexer/parser/checker and turned into a {@link conditionError} at the boundary. */
export class ConditionSyntaxError extends Error {
  constructor(readonly problem: ConditionProblem) {
    super(`column ${problem.column}: expected ${problem.expected}, found ${problem.found}`);
  }
}
