import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from "prom-client";
import { createTraceMetrics, type TraceMetrics } from "./trace-metrics.js";

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Distinct label sets per trace-derived metric family before `__overflow__`; default 1000. */
  readonly maxLabelSets?: number;
  /** Register `traces_spanmetrics_*`; default true. */
  readonly spanMetrics?: boolean;
  /** Register `traces_service_graph_*`; default true. */
  readonly serviceGraph?: boolean;
  /** Wall clock for `tracewatch_model_age_seconds`, ms since the epoch; default `Date.now`. */
  readonly now?: () => number;
  /** Also register Node's process metrics (CPU, memory, event loop, GC); default false. */
  readonly processMetrics?: boolean;
}

/** Seconds buckets for the per-trace scoring latency: 50 µs to 1 s. */
export const SCORING_BUCKETS_SECONDS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];
/** Buckets of the calibrated anomaly score in [0, 1], finer near the alerting range. */
export const SCORE_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 1];

/** A prom-client counter registered on `registry` only. */
export function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[] = [],
) {
  return new Counter<L>({ name, help, labelNames: [...labelNames], registers: [registry] });
}
/** A prom-client gauge registered on `registry` only. */
export function gauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[] = [],
) {
  return new Gauge<L>({ name, help, labelNames: [...labelNames], registers: [registry] });
}

function createIngestMetrics(r: Registry) {
  return {
    /** Spans decoded, by encoding: otlp_proto, otlp_json, json. */
    spansReceived: counter(r, "tracewatch_spans_received_total", "Spans decoded, by wire encoding.", [
      "encoding",
    ]),
    /** Spans or messages refused, by reason: decode, invalid, too_large, empty, overloaded, max_spans. */
    spansRejected: counter(
      r,
      "tracewatch_spans_rejected_total",
      "Spans refused before assembly, by reason.",
      ["reason"],
    ),
    /** Spans for a trace already completed, by outcome: merged (the trace re-opened), dropped. */
    lateSpans: counter(
      r,
      "tracewatch_late_spans_total",
      "Spans that arrived after their trace was completed, by outcome: merged, dropped.",
      ["outcome"],
    ),
    /** Spans whose span id was already in their open trace (redelivery). */
    duplicateSpans: counter(
      r,
      "tracewatch_duplicate_spans_total",
      "Spans dropped as duplicates of a span already held.",
    ),
    /** Messages written to the dead-letter topic, by reason. */
    deadLetters: counter(
      r,
      "tracewatch_dlq_messages_total",
      "Messages written to the dead-letter topic, by reason.",
      ["reason"],
    ),
    /** OTLP/HTTP requests answered, by HTTP status code. */
    otlpRequests: counter(
      r,
      "tracewatch_otlp_http_requests_total",
      "OTLP/HTTP export requests, by response status code.",
      ["code"],
    ),
    /** OTLP/gRPC export calls answered, by gRPC status name (OK, INVALID_ARGUMENT, UNAVAILABLE, ...). */
    otlpGrpcRequests: counter(
      r,
      "tracewatch_otlp_grpc_requests_total",
      "OTLP/gRPC export calls, by response status (gRPC status code name).",
      ["code"],
    ),
    /** Messages behind the partition's high watermark. */
    consumerLag: gauge(
      r,
      "tracewatch_consumer_lag",
      "Messages between the last message handled and the high watermark.",
      ["topic", "partition"],
    ),
  };
}

function createAssemblyMetrics(r: Registry) {
  return {
    /** Traces completed, by reason: idle, root, evicted, max_spans, flush. */
    tracesCompleted: counter(
      r,
      "tracewatch_traces_completed_total",
      "Traces completed by the assembler, by reason.",
      ["reason"],
    ),
    tracesInMemory: gauge(r, "tracewatch_traces_in_memory", "Open traces held by the assembler."),
    spansInMemory: gauge(r, "tracewatch_spans_in_memory", "Spans held in open traces."),
  };
}

function createScoringMetrics(r: Registry) {
  return {
    /** Traces scored, by outcome: scored, warming_up. */
    tracesScored: counter(
      r,
      "tracewatch_traces_scored_total",
      "Traces through feature extraction and scoring, by outcome.",
      ["outcome"],
    ),
    /** Traces whose processing threw after assembly, by stage: features, score, rules, outputs. */
    tracesFailed: counter(
      r,
      "tracewatch_traces_failed_total",
      "Traces whose processing threw after assembly, by stage; each is dead-lettered, not retried.",
      ["stage"],
    ),
    /** Parent-graph repairs before scoring, by repair: duplicate_span (ignored), parent_cycle (link cut). */
    traceRepairs: counter(
      r,
      "tracewatch_trace_repairs_total",
      "Spans ignored as duplicate ids (duplicate_span) and parent links cut to break cycles (parent_cycle).",
      ["repair"],
    ),
    scoringDuration: new Histogram({
      name: "tracewatch_scoring_duration_seconds",
      help: "Features plus model scoring time per trace.",
      buckets: SCORING_BUCKETS_SECONDS,
      registers: [r],
    }),
    anomalyScore: new Histogram({
      name: "tracewatch_anomaly_score",
      help: "Calibrated anomaly score of scored traces (0..1).",
      buckets: SCORE_BUCKETS,
      registers: [r],
    }),
    /** Alerts emitted, by type and severity. */
    alerts: counter(r, "tracewatch_alerts_total", "Alerts emitted, by type and severity.", [
      "type",
      "severity",
    ]),
    /** Retrains, by outcome: success, rejected, failed, skipped. */
    retrains: counter(r, "tracewatch_retrains_total", "Model retrains, by outcome.", ["outcome"]),
    /** Flagged traces of incident buckets left out of the last installed model's training set. */
    heldBack: gauge(
      r,
      "tracewatch_training_held_back_traces",
      "Flagged traces of incident buckets left out of the last installed model's training set.",
    ),
  };
}

function createSinkMetrics(r: Registry) {
  return {
    /** Delivery attempts' outcomes per sink: delivered, retried, failed, dead_lettered, dropped. */
    sinkDeliveries: counter(r, "tracewatch_sink_deliveries_total", "Alert deliveries, by sink and outcome.", [
      "sink",
      "outcome",
    ]),
    sinkQueueDepth: gauge(r, "tracewatch_sink_queue_depth", "Alerts waiting in a sink's queue.", ["sink"]),
  };
}

function createModelMetrics(r: Registry, now: () => number) {
  let trainedAtMs: number | null = null;
  let version: string | null = null;
  const info = gauge(r, "tracewatch_model_info", "The model in use (value 1), by version.", ["version"]);
  // Labelled by version so the series is absent (not 0) while warming up.
  new Gauge({
    name: "tracewatch_model_age_seconds",
    help: "Seconds since the model in use was trained, by version; absent while warming up.",
    labelNames: ["version"],
    registers: [r],
    collect() {
      this.reset();
      if (trainedAtMs !== null && version !== null)
        this.set({ version }, Math.max(0, (now() - trainedAtMs) / 1000));
    },
  });
  return {
    /** Records the model now in use: sets `tracewatch_model_info{version}` and the age origin. */
    setModel(modelVersion: string, trainedAt: number): void {
      if (version !== null && version !== modelVersion) info.remove({ version });
      version = modelVersion;
      trainedAtMs = trainedAt;
      info.set({ version: modelVersion }, 1);
    },
  };
}

/**
 * prom-client's gauges that end in `_total` (`nodejs_active_handles_total`, ...), which Prometheus
 * reserves for counters (`promtool check metrics` flags them). Each is the sum of the family of
 * the same name without `_total`, split by type: `sum(tracewatch_process_nodejs_active_handles)`.
 */
const PROCESS_GAUGES_NAMED_LIKE_COUNTERS = ["active_handles", "active_requests", "active_resources"];

/** Node's process metrics (CPU, memory, event loop, GC) with the `tracewatch_process_` prefix. */
function registerProcessMetrics(registry: Registry): void {
  const prefix = "tracewatch_process_";
  collectDefaultMetrics({ register: registry, prefix });
  for (const name of PROCESS_GAUGES_NAMED_LIKE_COUNTERS)
    registry.removeSingleMetric(`${prefix}nodejs_${name}_total`);
}

/** Typed handles of every pipeline metric. Created once per registry. */
export type TracewatchMetrics = ReturnType<typeof createIngestMetrics> &
  ReturnType<typeof createAssemblyMetrics> &
  ReturnType<typeof createScoringMetrics> &
  ReturnType<typeof createSinkMetrics> &
  ReturnType<typeof createModelMetrics> & {
    /** Observations folded into `__overflow__` label sets, by metric family. */
    readonly labelOverflow: Counter<"metric">;
    /** Span metrics and service graph: call `traces.record(trace)` for every completed trace. */
    readonly traces: TraceMetrics;
  };

/**
 * Creates every metric on the injected registry (never the global one): the pipeline's own
 * (`tracewatch_*`) and the trace-derived span metrics and service graph (`traces_*`, fed by
 * `traces.record`). Names and labels are listed in docs/metrics.md.
 */
export function createMetrics(registry: Registry, options: MetricsOptions = {}): TracewatchMetrics {
  if (options.processMetrics === true) registerProcessMetrics(registry);
  const labelOverflow = counter(
    registry,
    "tracewatch_metric_label_overflow_total",
    "Observations recorded under __overflow__ labels, by metric family.",
    ["metric"],
  );
  const traces = createTraceMetrics(registry, {
    maxLabelSets: options.maxLabelSets ?? 1000,
    spanMetrics: options.spanMetrics ?? true,
    serviceGraph: options.serviceGraph ?? true,
    onOverflow: (family) => labelOverflow.inc({ metric: family }),
  });
  return {
    ...createIngestMetrics(registry),
    ...createAssemblyMetrics(registry),
    ...createScoringMetrics(registry),
    ...createSinkMetrics(registry),
    ...createModelMetrics(registry, options.now ?? Date.now),
    labelOverflow,
    traces,
  };
}
