import { describe, expect, it } from "vitest";
import { compileCondition } from "../../../../src/core/rules/compiler.js";
import { scoredTrace, warmingUp } from "./scored.js";

const ctx = { threshold: 0.95 };
const spike = scoredTrace({ total_duration: 900 }, { anomaly_score: 0.97, p99_baseline: 300 });

describe("compileCondition evaluates", () => {
  const cases: [string, ReturnType<typeof scoredTrace>, boolean | null][] = [
    ["anomaly_score > 0.9 AND total_duration > p99_baseline * 2", spike, true],
    [
      "anomaly_score > 0.9 AND total_duration > p99_baseline * 2",
      scoredTrace({ total_duration: 500 }, { anomaly_score: 0.97, p99_baseline: 300 }),
      false,
    ],
    ["anomaly_score > 0.9 AND total_duration > p99_baseline * 2", warmingUp({ total_duration: 900 }), null],
    [
      "new_service_combination = true",
      scoredTrace({}, { new_service_combination: true, new_edges: ["a->b"] }),
      true,
    ],
    ["new_service_combination == TRUE", scoredTrace(), false],
    ["new_service_combination = true", warmingUp(), null],
    [
      "error_count > 5 AND affected_services > 3",
      scoredTrace({ error_count: 6, affected_services: 4 }),
      true,
    ],
    [
      "error_count > 5 AND affected_services > 3",
      scoredTrace({ error_count: 6, affected_services: 3 }),
      false,
    ],
    ["error_count > 5 AND affected_services > 3", warmingUp({ error_count: 9, affected_services: 5 }), true],
    ["error_count > 5 and affected_services > 3 or span_count >= 8", scoredTrace(), true],
    ["not (span_count < 8)", scoredTrace(), true],
    ["NOT anomaly_score > 0.9", warmingUp(), null],
    ["anomaly_score > 0.9 OR error_count >= 0", warmingUp(), true],
    ["anomaly_score > 0.9 AND error_count > 100", warmingUp(), false],
    ["root_service = 'frontend' AND root_operation != \"GET /\"", scoredTrace(), true],
    ["group_key = 'frontend|GET /cart'", scoredTrace(), true],
    ["total_duration / p99_baseline >= 0.6", scoredTrace(), true],
    ["duration_ratio > 2", spike, true],
    ["total_duration / 0 > 1", scoredTrace(), null],
    ["-span_count + 10 * 2 - 4 / 2 = 10", scoredTrace(), true],
    ["(span_count + 2) * 2 = 20", scoredTrace(), true],
    ["span_count + 2 * 2 = 12", scoredTrace(), true],
    ["anomalous", spike, true],
    ["anomalous", scoredTrace(), false],
    ["anomaly_score >= threshold", spike, true],
    ["new_edge_count > 0", scoredTrace({}, { new_edges: ["x->y"], new_service_combination: true }), true],
    ["edge_count = 2 AND 1e3 > 999.5 AND .5 < 1", scoredTrace(), true],
    ["TRUE = (error_count = 0)", scoredTrace(), true],
  ];
  it.each(cases)("%s → %s", (source, trace, expected) => {
    expect(compileCondition("t", source, ctx).evaluate(trace)).toBe(expected);
  });
});

describe("compileCondition reports", () => {
  it("the identifiers read and whether the model is needed", () => {
    const c = compileCondition("t", "anomaly_score > 0.9 AND total_duration > p99_baseline * 2", ctx);
    expect(c.identifiers).toEqual(["anomaly_score", "p99_baseline", "total_duration"]);
    expect(c.usesModel).toBe(true);
    expect(compileCondition("t", "error_count > 5", ctx).usesModel).toBe(false);
  });
});
