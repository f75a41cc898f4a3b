import { describe, expect, it } from "vitest";
import { checkAlertCondition, checkSamplingCondition } from "../../../src/cli/load-config.js";
import { loadConfig } from "../../../src/config/load.js";
import { keptTraceBytes } from "../../../src/config/schema-sampling.js";
import { configProblems, seedBlock } from "./seed-config.js";

const options = { checkCondition: checkAlertCondition, checkSamplingCondition };
const detector = seedBlock("### Anomaly Detection");
const sampling = seedBlock("### Sampling Strategies");

const problems = (text: string): string[] => configProblems(text, options);

describe("the seed's SamplingStrategy document", () => {
  it("loads unchanged with the TraceAnomalyDetector and ServiceGraph documents in one file", () => {
    const text = [detector, sampling, seedBlock("### Service Dependency Graph")].join("---\n");
    const config = loadConfig({ text }, {}, options);
    expect(config.metadata.name).toBe("latency-anomalies");
    expect(config.serviceGraph?.metadata.name).toBe("real-time-dependencies");
    expect(config.sampling?.metadata.name).toBe("adaptive-sampling");
    expect(config.sampling?.spec.default).toEqual({ type: "probabilistic", rate: 0.1 });
    expect(config.sampling?.spec.rules).toEqual([
      { name: "errors", condition: "status.code == ERROR", type: "always_on" },
      { name: "slow_requests", condition: "duration > 1000", type: "always_on" },
      {
        name: "high_value_users",
        condition: "attributes['user.tier'] == 'enterprise'",
        type: "probabilistic",
        rate: 0.5,
      },
      { name: "health_checks", condition: "attributes['http.path'] =~ '/health|/ping'", type: "always_off" },
    ]);
    expect(config.sampling?.spec.adaptive).toEqual({
      enabled: true,
      target_rate: 1000,
      min_rate: 0.001,
      max_rate: 1,
    });
  });

  it("is optional: without it the config has none (serve uses the seed's policies)", () => {
    expect(loadConfig({ text: detector }, {}, options).sampling).toBeUndefined();
  });

  it("refuses a hostile pattern at start-up with the rule and the column", () => {
    const hostile = sampling.replace("'/health|/ping'", () => "'(a+)+$'");
    expect(problems(`${detector}---\n${hostile}`)).toEqual([
      expect.stringMatching(
        /^SamplingStrategy: spec\.rules\[3\]\.condition: sampling rule "health_checks": invalid condition at column 33: expected no quantifier on a group that holds a quantifier/,
      ),
    ]);
  });

  it.each([
    [
      "a probabilistic rule without a rate",
      sampling.replace("      rate: 0.5 # Sample 50% for enterprise users\n", ""),
      /SamplingStrategy: spec\.rules\[2\]\.rate/,
    ],
    [
      "a misspelt key",
      sampling.replace("target_rate", "target_rte"),
      /SamplingStrategy: spec\.adaptive.*target_rate/,
    ],
    ["two SamplingStrategy documents", `${sampling}---\n${sampling}`, /2 SamplingStrategy documents/],
  ])("lists %s as a problem", (_what, text, expected) => {
    expect(problems(`${detector}---\n${text}`).join("\n")).toMatch(expected);
  });

  it("fails when the store's max_bytes is not below the detector's max_bytes, naming both keys", () => {
    const withStore = (bytes: number) => `${sampling.trimEnd()}\n  store:\n    max_bytes: ${bytes}\n`;
    const budget = 256 * 1024 * 1024;
    expect(problems(`${detector}---\n${withStore(budget - 1)}`)).toEqual([]);
    for (const bytes of [budget, budget + 1])
      expect(problems(`${detector}---\n${withStore(bytes)}`)).toEqual([
        `SamplingStrategy: spec.store.max_bytes: must be below spec.assembly.max_bytes, the memory budget kept traces share with open traces (${bytes} >= ${budget})`,
      ]);
  });

  it("carves the default store out of a small budget", () => {
    const small = `${detector.trimEnd()}\n  assembly:\n    max_bytes: 40000000\n`;
    const load = (text: string) => loadConfig({ text }, {}, options);
    expect(keptTraceBytes(load(small))).toBe(10_000_000);
    expect(keptTraceBytes(load(detector))).toBe(64 * 1024 * 1024);
    // A SamplingStrategy document's store (its default included) is checked against the budget.
    expect(problems(`${small}---\n${sampling}`)).toEqual([
      `SamplingStrategy: spec.store.max_bytes: must be below spec.assembly.max_bytes, the memory budget kept traces share with open traces (67108864 >= 40000000)`,
    ]);
  });
});
