import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { checkAlertCondition } from "../../../src/cli/load-config.js";
import type { TracewatchError } from "../../../src/errors.js";

/** The problems listed when `text` fails to load with the CLI's condition checker. */
function problems(text: string): string[] {
  try {
    loadConfig({ text, origin: "t.yaml" }, {}, { checkCondition: checkAlertCondition });
  } catch (err) {
    return (err as TracewatchError).details?.problems as string[];
  }
  throw new Error("config loaded but should not have");
}

const RULE = (type: string, condition: string, severity = "high"): string =>
  `    - { type: ${type}, condition: "${condition}", severity: ${severity} }\n`;

describe("loadCliConfig's condition check", () => {
  it("names a bad condition's rule by its type", () => {
    const found = problems(`spec:\n  alerts:\n${RULE("slow_checkout", "total_duration > p99_baselin * 2")}`);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^spec\.alerts\[0\]\.condition: alert "slow_checkout": invalid condition at column 18/,
    );
    expect(found[0]).not.toContain('alert "condition"');
  });

  it("lists condition problems beside schema problems, in one pass", () => {
    const found = problems(
      "spec:\n  training: { window: 7x }\n  assembly: { decison_wait: 5s }\n  alerts:\n" +
        RULE("slow_checkout", "total_duration > p99_baselin * 2") +
        RULE("errors", "error_count > 5 AND", "hihg"),
    );
    expect(found.map((p) => p.slice(0, p.indexOf(": ")))).toEqual(
      expect.arrayContaining([
        "spec.training.window",
        "spec.assembly.decison_wait",
        "spec.alerts[1].severity",
        "spec.alerts[0].condition",
        "spec.alerts[1].condition",
      ]),
    );
    expect(found).toHaveLength(5);
    expect(found.find((p) => p.startsWith("spec.alerts[1].condition"))).toContain('alert "errors"');
  });

  it("names a rule without a type by its position", () => {
    const found = problems(`spec:\n  alerts:\n    - { condition: "error_count >", severity: high }\n`);
    expect(found).toContainEqual(
      expect.stringMatching(/^spec\.alerts\[0\]\.condition: alert "spec\.alerts\[0\]"/),
    );
  });

  it("does not check a condition the schema already reported", () => {
    const found = problems(`spec:\n  alerts:\n    - { type: x, condition: 42, severity: high }\n`);
    expect(found).toEqual(["spec.alerts[0].condition: expected string, got number"]);
  });
});
