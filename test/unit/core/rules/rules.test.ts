import { describe, expect, it } from "vitest";
import { RuleEngine } from "../../../../src/core/rules/engine.js";
import {
  compileRules,
  compileRulesFromConfig,
  SEED_ALERT_RULES,
  type AlertRuleSpec,
} from "../../../../src/core/rules/rules.js";
import { passesMinSeverity, SEVERITY_LEVELS, type Severity } from "../../../../src/core/rules/severity.js";
import { isTracewatchError } from "../../../../src/errors.js";
import { scoredTrace, warmingUp } from "./scored.js";

const engine = new RuleEngine(compileRules(SEED_ALERT_RULES, 0.95));
const fired = (t: ReturnType<typeof scoredTrace>): string[] =>
  engine.evaluate(t).flatMap((o) => (o.kind === "fired" ? [o.rule.type] : []));

describe("the seed's default rules", () => {
  const cases: [string, ReturnType<typeof scoredTrace>, string[]][] = [
    ["a quiet trace", scoredTrace(), []],
    [
      "a latency spike",
      scoredTrace({ total_duration: 700 }, { anomaly_score: 0.93, p99_baseline: 300 }),
      ["latency_spike"],
    ],
    [
      "slow but not isolated",
      scoredTrace({ total_duration: 700 }, { anomaly_score: 0.8, p99_baseline: 300 }),
      [],
    ],
    [
      "isolated but under twice the p99",
      scoredTrace({ total_duration: 590 }, { anomaly_score: 0.99, p99_baseline: 300 }),
      [],
    ],
    [
      "a new edge",
      scoredTrace({}, { new_service_combination: true, new_edges: ["cart->redis"] }),
      ["unusual_path"],
    ],
    ["a cascade", scoredTrace({ error_count: 6, affected_services: 4 }), ["cascade_failure"]],
    ["a cascade while warming up", warmingUp({ error_count: 6, affected_services: 4 }), ["cascade_failure"]],
    ["a latency spike while warming up", warmingUp({ total_duration: 1e6 }), []],
    [
      "everything at once",
      scoredTrace(
        { total_duration: 900, error_count: 8, affected_services: 5 },
        { anomaly_score: 1, p99_baseline: 100, new_service_combination: true, new_edges: ["a->b"] },
      ),
      ["latency_spike", "unusual_path", "cascade_failure"],
    ],
  ];
  it.each(cases)("on %s fire %j", (_name, trace, expected) => {
    expect(fired(trace)).toEqual(expected);
  });

  it("report model-based rules as unknown while warming up", () => {
    const outcomes = engine.evaluate(warmingUp());
    expect(outcomes.map((o) => [o.kind, o.rule.type])).toEqual([
      ["unknown", "latency_spike"],
      ["unknown", "unusual_path"],
    ]);
  });

  it("get their dedup scopes and severities", () => {
    const rules = compileRules(SEED_ALERT_RULES, 0.95);
    expect(rules.map((r) => [r.type, r.severity, r.dedup, r.cooldownMs])).toEqual([
      ["latency_spike", "high", "trace", 300_000],
      ["unusual_path", "medium", "edge", 300_000],
      ["cascade_failure", "critical", "origin", 300_000],
    ]);
  });
});

describe("min_severity", () => {
  it("at the seed's 0.7 keeps the seed's medium, high and critical alerts", () => {
    expect(SEED_ALERT_RULES.every((r) => passesMinSeverity(r.severity, 0.7))).toBe(true);
  });
  const table: [Severity, number, boolean][] = [
    ["info", 0.7, false],
    ["low", 0.7, false],
    ["medium", 0.7, true],
    ["medium", 0.8, false],
    ["high", 0.85, true],
    ["critical", 1, true],
    ["info", 0, true],
  ];
  it.each(table)("%s under %f passes: %s", (severity, min, passes) => {
    expect(passesMinSeverity(severity, min)).toBe(passes);
  });
  it("orders the levels", () => {
    expect(SEVERITY_LEVELS).toEqual(["info", "low", "medium", "high", "critical"]);
  });
});

describe("compileRules rejects", () => {
  const base: AlertRuleSpec = { type: "slow_checkout", condition: "total_duration > 1000", severity: "high" };
  const cases: [string, AlertRuleSpec[], string, string][] = [
    ["a bad type", [{ ...base, type: "Slow-Checkout" }], "TW_CONFIG_INVALID", "spec.alerts[0].type"],
    ["a duplicate type", [base, base], "TW_CONFIG_INVALID", "spec.alerts[1].type"],
    [
      "an unknown severity",
      [{ ...base, severity: "urgent" as Severity }],
      "TW_CONFIG_INVALID",
      "spec.alerts[0].severity",
    ],
    ["a negative cooldown", [{ ...base, cooldownMs: -1 }], "TW_CONFIG_INVALID", "spec.alerts[0].cooldown"],
    [
      "a bad condition",
      [{ ...base, condition: "total_duration >" }],
      "TW_CONDITION_INVALID",
      'alert "slow_checkout"',
    ],
  ];
  it.each(cases)("%s", (_name, specs, code, fragment) => {
    let caught: unknown;
    try {
      compileRules(specs, 0.95);
    } catch (err) {
      caught = err;
    }
    expect(isTracewatchError(caught)).toBe(true);
    expect((caught as { code: string }).code).toBe(code);
    expect((caught as Error).message).toContain(fragment);
  });

  it("accepts user-defined types with their own dedup and cooldown", () => {
    const [rule] = compileRules([{ ...base, dedup: "origin", cooldownMs: 60_000 }], 0.95);
    expect(rule).toMatchObject({ type: "slow_checkout", dedup: "origin", cooldownMs: 60_000 });
  });
});

describe("compileRulesFromConfig", () => {
  it("applies the default cooldown, keeps rule cooldowns and leaves disabled rules out", () => {
    const rules = compileRulesFromConfig(
      [
        { type: "a", condition: "span_count > 1", severity: "high" },
        { type: "b", condition: "span_count > 2", severity: "high", cooldown: 1_000, enabled: true },
        { type: "c", condition: "span_count > 3", severity: "high", enabled: false },
      ],
      { threshold: 0.95, defaultCooldownMs: 60_000 },
    );
    expect(rules.map((r) => [r.type, r.cooldownMs])).toEqual([
      ["a", 60_000],
      ["b", 1_000],
    ]);
  });

  it("still validates a disabled rule, naming its index in the config", () => {
    expect(() =>
      compileRulesFromConfig(
        [
          { type: "a", condition: "span_count > 1", severity: "high" },
          { type: "a", condition: "span_count >", severity: "high", enabled: false },
        ],
        { threshold: 0.95 },
      ),
    ).toThrow("spec.alerts[1].type: duplicate alert type");
  });
});
