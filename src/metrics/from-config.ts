import type { Config } from "../config/schema.js";
import type { MetricsOptions } from "./pipeline.js";

/** createMetrics options from `spec.metrics`. */
export function metricsOptions(
  config: Config,
  extra: Pick<MetricsOptions, "now" | "processMetrics"> = {},
): MetricsOptions {
  const m = config.spec.metrics;
  return {
    maxLabelSets: m.max_label_sets,
    spanMetrics: m.span_metrics,
    serviceGraph: m.service_graph,
    ...extra,
  };
}
