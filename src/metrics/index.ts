export {
  createMetrics,
  SCORE_BUCKETS,
  SCORING_BUCKETS_SECONDS,
  type MetricsOptions,
  type TracewatchMetrics,
} from "./pipeline.js";
export {
  createTraceMetrics,
  SPANMETRICS_BUCKETS_MS,
  SERVICE_GRAPH_BUCKETS_SECONDS,
  type TraceMetrics,
  type TraceMetricsOptions,
} from "./trace-metrics.js";
export { serviceGraphEdges, ServiceGraphEdgeList, type ServiceGraphEdge } from "./service-graph.js";
export { SeriesTable, OVERFLOW } from "./limiter.js";
export { HistogramState } from "./aggregate.js";
export { metricsOptions } from "./from-config.js";
