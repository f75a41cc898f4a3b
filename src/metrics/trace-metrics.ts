import { Counter, Histogram, type Registry } from "prom-client";
import type { CompletedTrace } from "../domain/trace.js";
import { spanDurationMs } from "../domain/span.js";
import { LabelLimiter } from "./limiter.js";
import { serviceGraphEdges } from "./service-graph.js";

/** The seed's span-duration buckets, milliseconds. */
export const SPANMETRICS_BUCKETS_MS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 10000];
/** Service-graph latency buckets, seconds (the seed's span buckets converted). */
export const SERVICE_GRAPH_BUCKETS_SECONDS = SPANMETRICS_BUCKETS_MS.filter((b) => b > 0).map((b) => b / 1000);

const SPAN_LABELS = ["service_name", "span_name", "span_kind", "status_code"] as const;
const EDGE_LABELS = ["client", "server"] as const;
type SpanLabel = (typeof SPAN_LABELS)[number];
type EdgeLabel = (typeof EDGE_LABELS)[number];

/** Options of {@link createTraceMetrics}. */
export interface TraceMetricsOptions {
  /** Distinct label sets per family (span metrics, service graph) before `__overflow__`; default 1000. */
  readonly maxLabelSets?: number;
  /** Export `traces_spanmetrics_*`; default true. */
  readonly spanMetrics?: boolean;
  /** Export `traces_service_graph_*`; default true. */
  readonly serviceGraph?: boolean;
  /** Called once per observation folded into the overflow series, with the family name. */
  readonly onOverflow?: (family: "traces_spanmetrics" | "traces_service_graph") => void;
}

/** Records the seed's span metrics and the service graph from completed traces. */
export interface TraceMetrics {
  /** Counts every span of the trace and every cross-service request in it. */
  record(trace: CompletedTrace): void;
}

function spanMetricsRecorder(
  r: Registry,
  limit: number,
  onOverflow: () => void,
): (trace: CompletedTrace) => void {
  const labelNames = [...SPAN_LABELS];
  const calls = new Counter<SpanLabel>({
    name: "traces_spanmetrics_calls_total",
    help: "Spans, by service, span name, kind and status.",
    labelNames,
    registers: [r],
  });
  const duration = new Histogram<SpanLabel>({
    name: "traces_spanmetrics_duration_milliseconds",
    help: "Span duration in milliseconds (the seed's traces_spanmetrics_duration), by service, span name, kind and status.",
    labelNames,
    buckets: SPANMETRICS_BUCKETS_MS,
    registers: [r],
  });
  const limiter = new LabelLimiter<SpanLabel>(SPAN_LABELS, limit, onOverflow);
  return (trace) => {
    for (const span of trace.spans) {
      const labels = limiter.admit({
        service_name: span.service,
        span_name: span.name,
        span_kind: `SPAN_KIND_${span.kind}`,
        status_code: `STATUS_CODE_${span.status}`,
      });
      calls.inc(labels);
      duration.observe(labels, Math.max(0, spanDurationMs(span)));
    }
  };
}

function serviceGraphRecorder(
  r: Registry,
  limit: number,
  onOverflow: () => void,
): (trace: CompletedTrace) => void {
  const labelNames = [...EDGE_LABELS];
  const requests = new Counter<EdgeLabel>({
    name: "traces_service_graph_request_total",
    help: "Requests between two services.",
    labelNames,
    registers: [r],
  });
  const failed = new Counter<EdgeLabel>({
    name: "traces_service_graph_request_failed_total",
    help: "Failed requests between two services.",
    labelNames,
    registers: [r],
  });
  const histogram = (name: string, help: string) =>
    new Histogram<EdgeLabel>({
      name,
      help,
      labelNames,
      buckets: SERVICE_GRAPH_BUCKETS_SECONDS,
      registers: [r],
    });
  const server = histogram(
    "traces_service_graph_request_server_seconds",
    "Request duration seen by the server span, seconds.",
  );
  const client = histogram(
    "traces_service_graph_request_client_seconds",
    "Request duration seen by the client span, seconds.",
  );
  const limiter = new LabelLimiter<EdgeLabel>(EDGE_LABELS, limit, onOverflow);
  return (trace) => {
    for (const edge of serviceGraphEdges(trace.spans)) {
      const labels = limiter.admit({ client: edge.client, server: edge.server });
      requests.inc(labels);
      if (edge.failed) failed.inc(labels);
      server.observe(labels, edge.serverSeconds);
      if (edge.clientSeconds !== null) client.observe(labels, edge.clientSeconds);
    }
  };
}

/** Creates the trace-derived metric families on `registry`; disabled families are not registered. */
export function createTraceMetrics(registry: Registry, options: TraceMetricsOptions = {}): TraceMetrics {
  const limit = options.maxLabelSets ?? 1000;
  const overflow = options.onOverflow ?? (() => undefined);
  const recorders: ((trace: CompletedTrace) => void)[] = [];
  if (options.spanMetrics !== false)
    recorders.push(spanMetricsRecorder(registry, limit, () => overflow("traces_spanmetrics")));
  if (options.serviceGraph !== false)
    recorders.push(serviceGraphRecorder(registry, limit, () => overflow("traces_service_graph")));
  return {
    record(trace) {
      for (const record of recorders) record(trace);
    },
  };
}
