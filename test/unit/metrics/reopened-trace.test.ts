import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../../src/metrics/pipeline.js";
import { serviceGraphEdges } from "../../../src/metrics/service-graph.js";
import { checkExposition } from "./exposition.js";
import { span, trace } from "./spans.js";

/** A trace completed once with `first` spans, re-opened by late spans and completed again. */
function recordTwice(first: ReturnType<typeof span>[], late: ReturnType<typeof span>[]) {
  const registry = new Registry();
  const m = createMetrics(registry, { maxLabelSets: 1000 });
  m.traces.record(trace(first));
  m.traces.record({ ...trace([...first, ...late]), earlierSpans: first.length });
  return registry;
}

async function sample(registry: Registry, name: string, labels: Record<string, string>) {
  const { samples } = checkExposition(await registry.metrics());
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

describe("trace metrics of a re-opened trace", () => {
  it("counts each span once across the trace's completions", async () => {
    const registry = recordTwice(
      [span(1, null, "gw"), span(2, 1, "gw", { kind: "CLIENT" })],
      [span(3, 2, "orders")],
    );
    expect(
      await sample(registry, "traces_spanmetrics_calls_total", {
        service_name: "gw",
        span_kind: "SPAN_KIND_SERVER",
      }),
    ).toBe(1);
    expect(
      await sample(registry, "traces_spanmetrics_calls_total", {
        service_name: "gw",
        span_kind: "SPAN_KIND_CLIENT",
      }),
    ).toBe(1);
    expect(await sample(registry, "traces_spanmetrics_calls_total", { service_name: "orders" })).toBe(1);
    expect(
      await sample(registry, "traces_service_graph_request_total", { client: "gw", server: "orders" }),
    ).toBe(1);
  });

  it("counts the edge a late parent completes, and no edge twice", async () => {
    const registry = recordTwice(
      [span(1, null, "gw"), span(3, 2, "orders"), span(4, 1, "pay")],
      [span(2, 1, "gw", { kind: "CLIENT" })],
    );
    expect(
      await sample(registry, "traces_service_graph_request_total", { client: "gw", server: "orders" }),
    ).toBe(1);
    expect(
      await sample(registry, "traces_service_graph_request_total", { client: "gw", server: "pay" }),
    ).toBe(1);
  });

  it("serviceGraphEdges with newFrom yields only pairs with a span at or after that index", () => {
    const spans = [
      span(1, null, "gw"),
      span(3, 2, "orders"),
      span(4, 1, "pay"),
      span(2, 1, "gw", { kind: "CLIENT" }),
    ];
    expect(serviceGraphEdges(spans).map((e) => `${e.client}->${e.server}`)).toEqual([
      "gw->orders",
      "gw->pay",
    ]);
    expect(serviceGraphEdges(spans, 3).map((e) => `${e.client}->${e.server}`)).toEqual(["gw->orders"]);
    expect(serviceGraphEdges(spans, 4)).toEqual([]);
  });
});
