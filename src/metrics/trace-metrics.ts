import type { Registry } from "prom-client";
import type { CompletedTrace } from "../domain/trace.js";
import { spanDurationMs, type SpanKind, type SpanStatus } from "../domain/span.js";
import { HistogramState, counterView, histogramView } from "./aggregate.js";
import { SeriesTable } from "./limiter.js";
import { ServiceGraphEdgeList } from "./service-graph.js";

/** The seed's span-duration buckets, milliseconds. */
export const SPANMETRICS_BUCKETS_MS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 10000];
/** Service-graph latency buckets, seconds (the seed's span buckets converted). */
export const SERVICE_GRAPH_BUCKETS_SECONDS = SPANMETRICS_BUCKETS_MS.filter((b) => b > 0).map((b) => b / 1000);

const SPAN_LABELS = ["service_name", "span_name", "span_kind", "status_code"] as const;
// The OTLP enum names, built once rather than concatenated per recorded span.
const KIND_LABELS: Readonly<Record<SpanKind, string>> = {
  UNSPECIFIED: "SPAN_KIND_UNSPECIFIED",
  INTERNAL: "SPAN_KIND_INTERNAL",
  SERVER: "SPAN_KIND_SERVER",
  CLIENT: "SPAN_KIND_CLIENT",
  PRODUCER: "SPAN_KIND_PRODUCER",
  CONSUMER: "SPAN_KIND_CONSUMER",
};
const STATUS_LABELS: Readonly<Record<SpanStatus, string>> = {
  UNSET: "STATUS_CODE_UNSET",
  OK: "STATUS_CODE_OK",
  ERROR: "STATUS_CODE_ERROR",
};
const EDGE_LABELS = ["client", "server"] as const;

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
  /**
   * Counts every span of the trace and every cross-service request in it; of a re-opened trace
   * (`earlierSpans`), only the spans and requests its first completions did not count. `edges`:
   * the trace's edges (`ServiceGraphEdgeList.fill` with its `earlierSpans`), when the caller found
   * them already (the service map).
   */
  record(trace: CompletedTrace, edges?: ServiceGraphEdgeList): void;
}

interface SpanSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly duration: HistogramState;
}

function spanMetricsRecorder(
  r: Registry,
  limit: number,
  onOverflow: () => void,
): (trace: CompletedTrace) => void {
  const table = new SeriesTable<string, SpanSeries>(
    SPAN_LABELS,
    limit,
    (labels) => ({ labels, duration: new HistogramState(SPANMETRICS_BUCKETS_MS) }),
    onOverflow,
  );
  const series = () => table.entries();
  const reset = () => table.clear();
  const labelNames = SPAN_LABELS;
  // calls_total is the histogram's count: one observation per span.
  counterView(
    r,
    {
      name: "traces_spanmetrics_calls_total",
      help: "Spans, by service, span name, kind and status.",
      labelNames,
    },
    series,
    (s) => ({ labels: s.labels, value: s.duration.count }),
    reset,
  );
  histogramView(
    r,
    {
      name: "traces_spanmetrics_duration_milliseconds",
      help: "Span duration in milliseconds (the seed's traces_spanmetrics_duration), by service, span name, kind and status.",
      labelNames,
      bounds: SPANMETRICS_BUCKETS_MS,
    },
    series,
    (s) => ({ labels: s.labels, hist: s.duration }),
    reset,
  );
  const values = ["", "", "", ""];
  return (trace) => {
    const spans = trace.spans;
    // A re-opened trace's earlier spans were recorded at its first completion.
    for (let i = trace.earlierSpans ?? 0; i < spans.length; i++) {
      const span = spans[i]!;
      values[0] = span.service;
      values[1] = span.name;
      values[2] = KIND_LABELS[span.kind];
      values[3] = STATUS_LABELS[span.status];
      table.get(values).duration.observe(Math.max(0, spanDurationMs(span)));
    }
  };
}

interface EdgeSeries {
  readonly labels: Readonly<Record<string, string>>;
  failed: number;
  readonly server: HistogramState;
  readonly client: HistogramState;
}

function serviceGraphRecorder(
  r: Registry,
  limit: number,
  onOverflow: () => void,
): (trace: CompletedTrace, edges?: ServiceGraphEdgeList) => void {
  const bounds = SERVICE_GRAPH_BUCKETS_SECONDS;
  const table = new SeriesTable<string, EdgeSeries>(
    EDGE_LABELS,
    limit,
    (labels) => ({
      labels,
      failed: 0,
      server: new HistogramState(bounds),
      client: new HistogramState(bounds),
    }),
    onOverflow,
  );
  const series = () => table.entries();
  const reset = () => table.clear();
  const labelNames = EDGE_LABELS;
  counterView(
    r,
    { name: "traces_service_graph_request_total", help: "Requests between two services.", labelNames },
    series,
    (s) => ({ labels: s.labels, value: s.server.count }),
    reset,
  );
  counterView(
    r,
    {
      name: "traces_service_graph_request_failed_total",
      help: "Failed requests between two services.",
      labelNames,
    },
    series,
    (s) => ({ labels: s.labels, value: s.failed }),
    reset,
  );
  histogramView(
    r,
    {
      name: "traces_service_graph_request_server_seconds",
      help: "Request duration seen by the server span, seconds.",
      labelNames,
      bounds,
    },
    series,
    (s) => ({ labels: s.labels, hist: s.server }),
    reset,
  );
  histogramView(
    r,
    {
      name: "traces_service_graph_request_client_seconds",
      help: "Request duration seen by the client span, seconds.",
      labelNames,
      bounds,
    },
    series,
    (s) => ({ labels: s.labels, hist: s.client }),
    reset,
  );
  const own = new ServiceGraphEdgeList();
  return (trace, given) => {
    const edges = given ?? own.fill(trace.spans, trace.earlierSpans);
    for (let i = 0; i < edges.length; i++) {
      const s = table.get([edges.client(i), edges.server(i)]);
      s.server.observe(edges.serverSeconds(i));
      if (edges.failed(i)) s.failed += 1;
      const clientSeconds = edges.clientSeconds(i);
      if (clientSeconds !== null) s.client.observe(clientSeconds);
    }
    if (given === undefined) own.release();
  };
}

/** Creates the trace-derived metric families on `registry`; disabled families are not registered. */
export function createTraceMetrics(registry: Registry, options: TraceMetricsOptions = {}): TraceMetrics {
  const limit = options.maxLabelSets ?? 1000;
  const overflow = options.onOverflow ?? (() => undefined);
  const recorders: ((trace: CompletedTrace, edges?: ServiceGraphEdgeList) => void)[] = [];
  if (options.spanMetrics !== false)
    recorders.push(spanMetricsRecorder(registry, limit, () => overflow("traces_spanmetrics")));
  if (options.serviceGraph !== false)
    recorders.push(serviceGraphRecorder(registry, limit, () => overflow("traces_service_graph")));
  return {
    record(trace, edges) {
      for (const record of recorders) record(trace, edges);
    },
  };
}
