import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../../src/metrics/pipeline.js";
import { OVERFLOW } from "../../../src/metrics/limiter.js";
import { checkExposition } from "./exposition.js";
import { span, trace } from "./spans.js";

function exercise(now = () => 1_000_000) {
  const registry = new Registry();
  const m = createMetrics(registry, { now, maxLabelSets: 1000 });
  m.spansReceived.inc({ encoding: "otlp_proto" }, 12);
  m.spansRejected.inc({ reason: "invalid" });
  m.lateSpans.inc({ outcome: "dropped" });
  m.duplicateSpans.inc(2);
  m.deadLetters.inc({ reason: "decode" });
  m.otlpRequests.inc({ code: "200" });
  m.consumerLag.set({ topic: "otlp_spans", partition: "0" }, 42);
  m.tracesCompleted.inc({ reason: "root" });
  m.tracesInMemory.set(3);
  m.spansInMemory.set(17);
  m.tracesScored.inc({ outcome: "scored" });
  m.scoringDuration.observe(0.0004);
  m.anomalyScore.observe(0.97);
  m.alerts.inc({ type: "latency_spike", severity: "high" });
  m.retrains.inc({ outcome: "success" });
  m.sinkDeliveries.inc({ sink: "oncall", outcome: "delivered" });
  m.sinkQueueDepth.set({ sink: "oncall" }, 0);
  m.setModel("20260101T000000Z-abc", 400_000);
  m.traces.record(
    trace([
      span(1, null, "gateway", { name: 'GET /api/"orders"\\n', durationMs: 120 }),
      span(2, 1, "gateway", { kind: "CLIENT", durationMs: 100 }),
      span(3, 2, "orders", { durationMs: 80, status: "ERROR" }),
    ]),
  );
  return { registry, m };
}

describe("/metrics exposition", () => {
  it("passes a Prometheus text-format parser and the strict format checks", async () => {
    const { registry } = exercise();
    const text = await registry.metrics();
    expect(checkExposition(text).problems).toEqual([]);
    const families = parsePrometheusTextFormat(text);
    const names = families.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "tracewatch_spans_received_total",
        "tracewatch_spans_rejected_total",
        "tracewatch_traces_completed_total",
        "tracewatch_traces_in_memory",
        "tracewatch_spans_in_memory",
        "tracewatch_consumer_lag",
        "tracewatch_scoring_duration_seconds",
        "tracewatch_anomaly_score",
        "tracewatch_alerts_total",
        "tracewatch_sink_deliveries_total",
        "tracewatch_sink_queue_depth",
        "tracewatch_model_age_seconds",
        "tracewatch_model_info",
        "tracewatch_retrains_total",
        "tracewatch_late_spans_total",
        "tracewatch_duplicate_spans_total",
        "tracewatch_dlq_messages_total",
        "traces_spanmetrics_calls_total",
        "traces_spanmetrics_duration_milliseconds",
        "traces_service_graph_request_total",
        "traces_service_graph_request_failed_total",
        "traces_service_graph_request_server_seconds",
        "traces_service_graph_request_client_seconds",
      ]),
    );
    expect(families.find((f) => f.name === "traces_spanmetrics_duration_milliseconds")?.type).toBe(
      "HISTOGRAM",
    );
  });

  it("exports span metrics with the seed's millisecond buckets and escaped span names", async () => {
    const { registry } = exercise();
    const { samples } = checkExposition(await registry.metrics());
    const buckets = samples
      .filter(
        (s) =>
          s.name === "traces_spanmetrics_duration_milliseconds_bucket" && s.labels.service_name === "orders",
      )
      .map((s) => [s.labels.le, s.value]);
    expect(buckets.map(([le]) => le)).toEqual([
      "0",
      "5",
      "10",
      "25",
      "50",
      "75",
      "100",
      "250",
      "500",
      "750",
      "1000",
      "2500",
      "5000",
      "10000",
      "+Inf",
    ]);
    expect(buckets.find(([le]) => le === "75")?.[1]).toBe(0);
    expect(buckets.find(([le]) => le === "100")?.[1]).toBe(1);
    const calls = samples.filter((s) => s.name === "traces_spanmetrics_calls_total");
    expect(calls.map((s) => s.labels)).toContainEqual({
      service_name: "orders",
      span_name: "orders op",
      span_kind: "SPAN_KIND_SERVER",
      status_code: "STATUS_CODE_ERROR",
    });
    expect(calls.map((s) => s.labels.span_name)).toContain('GET /api/"orders"\\n');
  });

  it("counts the service graph edge with its failure and latencies", async () => {
    const { registry } = exercise();
    const { samples } = checkExposition(await registry.metrics());
    const value = (name: string, extra: Record<string, string> = {}) =>
      samples.find(
        (s) =>
          s.name === name &&
          s.labels.client === "gateway" &&
          s.labels.server === "orders" &&
          Object.entries(extra).every(([k, v]) => s.labels[k] === v),
      )?.value;
    expect(value("traces_service_graph_request_total")).toBe(1);
    expect(value("traces_service_graph_request_failed_total")).toBe(1);
    expect(value("traces_service_graph_request_server_seconds_sum")).toBeCloseTo(0.08);
    expect(value("traces_service_graph_request_client_seconds_sum")).toBeCloseTo(0.1);
    expect(value("traces_service_graph_request_server_seconds_bucket", { le: "0.075" })).toBe(0);
    expect(value("traces_service_graph_request_server_seconds_bucket", { le: "0.1" })).toBe(1);
  });

  it("reports the model age from the injected clock and only the current model version", async () => {
    let now = 1_000_000;
    const { registry, m } = exercise(() => now);
    const read = async (name: string) =>
      checkExposition(await registry.metrics()).samples.filter((s) => s.name === name);
    expect((await read("tracewatch_model_age_seconds"))[0]?.value).toBe(600);
    now = 1_060_000;
    m.setModel("v2", 1_000_000);
    expect((await read("tracewatch_model_age_seconds"))[0]?.value).toBe(60);
    expect((await read("tracewatch_model_info")).map((s) => s.labels.version)).toEqual(["v2"]);
  });

  it("has no model age while warming up", async () => {
    const registry = new Registry();
    createMetrics(registry);
    const { samples } = checkExposition(await registry.metrics());
    expect(samples.filter((s) => s.name === "tracewatch_model_age_seconds")).toEqual([]);
  });

  it("folds label sets beyond the limit into __overflow__ and counts them", async () => {
    const registry = new Registry();
    const m = createMetrics(registry, { maxLabelSets: 2 });
    for (const service of ["a", "b", "c", "d"]) m.traces.record(trace([span(1, null, service)]));
    const { samples, problems } = checkExposition(await registry.metrics());
    expect(problems).toEqual([]);
    const calls = samples.filter((s) => s.name === "traces_spanmetrics_calls_total");
    expect(calls.map((s) => [s.labels.service_name, s.value])).toEqual([
      ["a", 1],
      ["b", 1],
      [OVERFLOW, 2],
    ]);
    expect(samples.find((s) => s.name === "tracewatch_metric_label_overflow_total")).toMatchObject({
      labels: { metric: "traces_spanmetrics" },
      value: 2,
    });
  });

  it("registers nothing on the global registry and allows one set per registry", async () => {
    const { register } = await import("prom-client");
    const before = (await register.getMetricsAsJSON()).length;
    createMetrics(new Registry());
    createMetrics(new Registry());
    expect((await register.getMetricsAsJSON()).length).toBe(before);
  });

  it("leaves disabled trace-derived families out", async () => {
    const registry = new Registry();
    createMetrics(registry, { spanMetrics: false, serviceGraph: false }).traces.record(
      trace([span(1, null, "a")]),
    );
    const text = await registry.metrics();
    expect(text).not.toContain("traces_spanmetrics");
    expect(text).not.toContain("traces_service_graph");
  });
});

describe("registry reset", () => {
  it("clears the trace-derived series with the rest", async () => {
    const { registry } = exercise();
    registry.resetMetrics();
    const { samples } = checkExposition(await registry.metrics());
    expect(samples.filter((s) => s.name.startsWith("traces_"))).toEqual([]);
  });
});
