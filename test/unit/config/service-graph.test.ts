import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { configProblems, seedBlock } from "./seed-config.js";

const problems = (text: string): string[] => configProblems(text);

describe("the seed's ServiceGraph document", () => {
  it("loads unchanged beside the TraceAnomalyDetector document in one multi-document file", () => {
    const text = `${seedBlock("### Anomaly Detection")}---\n${seedBlock("### Service Dependency Graph")}`;
    const config = loadConfig({ text }, {});
    expect(config.metadata.name).toBe("latency-anomalies");
    expect(config.serviceGraph?.metadata.name).toBe("real-time-dependencies");
    expect(config.serviceGraph?.spec.data_source).toEqual({
      type: "traces",
      window: 300_000,
      refresh_interval: 30_000,
    });
    expect(config.serviceGraph?.spec.nodes.thresholds).toMatchObject({
      warningRate: 0.01,
      criticalRate: 0.05,
    });
    expect(config.serviceGraph?.spec.layout.algorithm).toBe("force-directed");
  });

  it("leaves the service map on its defaults without one", () => {
    expect(loadConfig({ text: seedBlock("### Anomaly Detection") }, {}).serviceGraph).toBeUndefined();
  });

  it.each([
    [
      "an unknown kind",
      "kind: SpanMetricz\napiVersion: telemetry/v1\n",
      'document 2: kind "SpanMetricz": expected',
    ],
    ["two detectors", "kind: TraceAnomalyDetector\n", "2 TraceAnomalyDetector documents"],
    [
      "thresholds that do not meet",
      "apiVersion: visualization/v1\nkind: ServiceGraph\nspec:\n  nodes:\n    thresholds:\n      warning: 2% - 5%\n",
      "ServiceGraph: spec.nodes.thresholds.warning",
    ],
    [
      "a misspelt key",
      "apiVersion: visualization/v1\nkind: ServiceGraph\nspec:\n  data_source:\n    windw: 5m\n",
      "ServiceGraph: spec.data_source",
    ],
  ])("names the problem of %s", (_name, second, expected) => {
    const found = problems(`kind: TraceAnomalyDetector\n---\n${second}`);
    expect(found.join("\n")).toContain(expected);
  });
});
