import { describe, expect, it } from "vitest";
import { EVAL_SCENARIOS, scenarioSimulator, trainingSimulator } from "../../../src/sim/scenarios.js";

describe("evaluation scenarios", () => {
  it("are distinct, named and seeded", () => {
    expect(new Set(EVAL_SCENARIOS.map((s) => s.name)).size).toBe(EVAL_SCENARIOS.length);
    expect(new Set(EVAL_SCENARIOS.map((s) => s.seed)).size).toBe(EVAL_SCENARIOS.length);
  });

  it("train on normal traffic, with the slow report export, that ends where the scored part starts", () => {
    const scenario = { ...EVAL_SCENARIOS[0]!, trainingMs: 60_000 };
    const training = [...trainingSimulator(scenario).until(scenario.trainingMs)];
    expect(new Set(training.map((t) => t.label.label))).toEqual(new Set(["normal", "near_miss_slow"]));
    expect(training.some((t) => t.spans.some((s) => s.status === "ERROR"))).toBe(true);
    const lastStart = Math.max(...training.map((t) => t.label.startTimeMs));
    expect(lastStart).toBeLessThan(scenario.startTimeMs);
    expect(lastStart).toBeGreaterThan(scenario.startTimeMs - 1_000);
    const scored = [...scenarioSimulator(scenario).until(60_000)];
    expect(scored[0]!.label.startTimeMs).toBe(scenario.startTimeMs);
    const ids = new Set(training.map((t) => t.traceId));
    expect(scored.filter((t) => ids.has(t.traceId))).toEqual([]);
  });
});
