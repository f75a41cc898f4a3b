import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createIngestMetrics } from "../../../src/kafka/metrics.js";
import { createMetrics } from "../../../src/metrics/pipeline.js";
import { systemClock } from "../../../src/platform/clock.js";
import { Readiness } from "../../../src/service/readiness.js";

/** Every metric the service registers: the pipeline's, the ingest adapters' and readiness'. */
function serviceRegistry(): Registry {
  const registry = new Registry();
  createIngestMetrics(registry, createMetrics(registry));
  new Readiness(systemClock, registry);
  return registry;
}

const doc = readFileSync(fileURLToPath(new URL("../../../docs/metrics.md", import.meta.url)), "utf8");

describe("docs/metrics.md", () => {
  it("names every metric the service registers, with its labels", async () => {
    const registry = serviceRegistry();
    const metrics = await registry.getMetricsAsJSON();
    expect(metrics.length).toBeGreaterThan(20);
    for (const metric of metrics) {
      const row = doc.split("\n").find((line) => line.startsWith(`| \`${metric.name}\``));
      expect(row, metric.name).toBeDefined();
      const labels = (registry.getSingleMetric(metric.name) as unknown as { labelNames: string[] })
        .labelNames;
      for (const label of labels) expect(row, `${metric.name} label ${label}`).toContain(`\`${label}\``);
    }
  });

  it("documents no metric that does not exist", async () => {
    const registry = serviceRegistry();
    const names = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    const documented = [...doc.matchAll(/^\| `((?:tracewatch|traces)_[a-z_]+)`/gm)].map((m) => m[1]);
    expect(documented.filter((n) => n !== undefined && !names.has(n))).toEqual([]);
  });
});
