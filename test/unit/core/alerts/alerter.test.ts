import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { Alerter, type AlertDecision } from "../../../../src/core/alerts/alerter.js";
import { alertId, type Alert } from "../../../../src/core/alerts/alert.js";
import { Redactor } from "../../../../src/core/alerts/redaction.js";
import { analyseTrace } from "../../../../src/core/alerts/trace-analysis.js";
import { ManualClock } from "../../../../src/core/clock.js";
import { compileRules, SEED_ALERT_RULES, type AlertRuleSpec } from "../../../../src/core/rules/rules.js";
import type { ScoredTrace } from "../../../../src/domain/features.js";
import { scoredTrace, warmingUp } from "../rules/scored.js";
import { completed, span, TRACE_ID } from "./spans.js";

const schema = JSON.parse(
  readFileSync(new URL("../../../../schemas/alert.v1.json", import.meta.url), "utf8"),
);
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

function alerter(
  specs: readonly AlertRuleSpec[] = SEED_ALERT_RULES,
  clock = new ManualClock(1_700_000_100_000),
) {
  const redactor = new Redactor([
    { action: "hash", key: "user.email" },
    { action: "delete", key: "internal.debug_info" },
  ]);
  return new Alerter({ detector: "latency-anomalies", rules: compileRules(specs, 0.95), clock, redactor });
}
const emitted = (ds: AlertDecision[]): Alert[] => ds.flatMap((d) => (d.kind === "emit" ? [d.alert] : []));
const traceId = (n: number): string => n.toString(16).padStart(32, "0");

const cascadeSpans = completed([
  span(1, null, "gateway", 0, 900, "ERROR", {
    "user.email": "a@b.c",
    "internal.debug_info": "x",
    "http.route": "/pay",
  }),
  span(2, 1, "orders", 10, 880, "ERROR"),
  span(3, 2, "payment", 20, 850, "ERROR"),
  span(4, 3, "bank", 30, 800, "ERROR", { "exception.message": "timeout" }),
]);
const everything = scoredTrace(
  {
    total_duration: 900,
    error_count: 6,
    affected_services: 4,
    erroring_services: ["bank", "gateway", "orders", "payment"],
  },
  { anomaly_score: 0.99, p99_baseline: 300, new_service_combination: true, new_edges: ["payment->bank"] },
);

describe("Alerter", () => {
  it("emits the seed's alerts with evidence, valid against schemas/alert.v1.json", () => {
    const alerts = emitted(alerter().process(everything, cascadeSpans));
    expect(alerts.map((a) => [a.type, a.severity, a.service])).toEqual([
      ["latency_spike", "high", "bank"],
      ["unusual_path", "medium", "bank"],
      ["cascade_failure", "critical", "bank"],
    ]);
    for (const a of alerts) {
      expect(validate(a), JSON.stringify(validate.errors)).toBe(true);
      expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    }
    const spike = alerts[0]!;
    expect(spike).toMatchObject({
      version: 1,
      id: alertId(TRACE_ID, "latency_spike"),
      detector: "latency-anomalies",
      detectedAt: "2023-11-14T22:15:00.000Z",
      anomalyScore: 0.99,
      anomalous: true,
      modelVersion: "m-1",
      condition: "anomaly_score > 0.9 AND total_duration > p99_baseline * 2",
      features: { total_duration: 900, error_count: 6, affected_services: 4 },
    });
    expect(spike.evidence).toMatchObject({
      p99Baseline: 300,
      durationRatio: 3,
      newEdges: ["payment->bank"],
      likelyOrigin: { service: "bank", depth: 3 },
      slowestService: { service: "bank", selfTimeMs: 770 },
      rootAttributes: { "http.route": "/pay", "user.email": expect.stringMatching(/^[0-9a-f]{64}$/) },
      originAttributes: { "exception.message": "timeout" },
    });
    expect(spike.evidence.rootAttributes).not.toHaveProperty("internal.debug_info");
  });

  it("gives the same id to the same trace and type, and different ids otherwise", () => {
    const a = emitted(alerter().process(everything, cascadeSpans));
    const b = emitted(alerter().process(everything));
    expect(a.map((x) => x.id)).toEqual(b.map((x) => x.id));
    expect(new Set(a.map((x) => x.id)).size).toBe(3);
    expect(alertId(traceId(1), "latency_spike")).not.toBe(alertId(traceId(2), "latency_spike"));
    // The formula is a contract (docs/alerts.md): changing it would re-alert every redelivered trace.
    expect(alertId("0af7651916cd43dd8448eb211c80319c", "latency_spike")).toBe(
      "fdfed75b5f8a9ebcd8803fbba8ec8013",
    );
  });

  it("does not fire model-based rules while warming up, but still fires cascade_failure", () => {
    const ds = alerter().process(warmingUp({ error_count: 9, affected_services: 5, total_duration: 1e6 }));
    expect(ds.map((d) => (d.kind === "emit" ? d.alert.type : `${d.kind}:${d.type}`))).toEqual([
      "warming_up:latency_spike",
      "warming_up:unusual_path",
      "cascade_failure",
    ]);
    const cascade = emitted(ds)[0]!;
    expect(cascade).toMatchObject({ anomalyScore: null, anomalous: null, modelVersion: null });
    expect(validate(cascade), JSON.stringify(validate.errors)).toBe(true);
  });

  it("raises one unusual_path alert per new edge per cooldown window, then reports the suppressed count", () => {
    const clock = new ManualClock(0);
    const a = alerter(SEED_ALERT_RULES, clock);
    const newEdge = (n: number, edges: string[]) =>
      scoredTrace({ traceId: traceId(n) }, { new_service_combination: true, new_edges: edges });
    const first = Array.from({ length: 10 }, (_, i) =>
      emitted(a.process(newEdge(i, ["cart->redis"]))),
    ).flat();
    expect(first).toHaveLength(1);
    expect(first[0]?.dedup).toEqual({
      scope: "edge",
      keys: ["cart->redis"],
      cooldownMs: 300_000,
      suppressedSinceLast: 0,
    });
    const both = emitted(a.process(newEdge(20, ["cart->redis", "cart->pg"])));
    expect(both.map((x) => x.dedup.keys)).toEqual([["cart->pg"]]);
    expect(both[0]?.service).toBe("pg");
    clock.advance(300_000);
    const later = emitted(a.process(newEdge(30, ["cart->redis"])));
    expect(later[0]?.dedup.suppressedSinceLast).toBe(10);
  });

  it("reads a trace's spans only for the alerts it emits, not for matches a cooldown suppresses", () => {
    const a = alerter();
    const scored = (n: number) =>
      scoredTrace({ traceId: traceId(n) }, { new_service_combination: true, new_edges: ["cart->redis"] });
    let reads = 0;
    const counted = (n: number) => {
      const trace = completed([span(1, null, "cart", 0, 10)]);
      return {
        ...trace,
        traceId: traceId(n),
        get spans() {
          reads++;
          return trace.spans;
        },
      };
    };
    expect(emitted(a.process(scored(1), counted(1)))).toHaveLength(1);
    expect(reads).toBe(1);
    expect(a.process(scored(2), counted(2))).toEqual([
      { kind: "suppressed", type: "unusual_path", reason: "cooldown", keys: ["cart->redis"] },
    ]);
    expect(reads).toBe(1);
  });

  it("groups cascade_failure alerts by origin service within the window", () => {
    const a = alerter();
    const cascade = (n: number, origin: string) =>
      a.process(
        scoredTrace({
          traceId: traceId(n),
          error_count: 7,
          affected_services: 4,
          erroring_services: [origin],
        }),
      );
    expect(emitted(cascade(1, "db"))).toHaveLength(1);
    expect(cascade(2, "db")).toEqual([
      { kind: "suppressed", type: "cascade_failure", reason: "cooldown", keys: ["db"] },
    ]);
    expect(emitted(cascade(3, "queue")).map((x) => x.service)).toEqual(["queue"]);
  });

  it("raises latency_spike once per trace", () => {
    const a = alerter();
    const spike = (n: number) =>
      a.process(
        scoredTrace(
          { traceId: traceId(n), total_duration: 1000 },
          { anomaly_score: 0.95, p99_baseline: 100 },
        ),
      );
    expect(emitted(spike(1))).toHaveLength(1);
    expect(emitted(spike(2))).toHaveLength(1);
    expect(spike(1)[0]).toMatchObject({ kind: "suppressed", reason: "cooldown" });
  });

  it("holds back alerts whose severity weight is under min_severity", () => {
    const specs: AlertRuleSpec[] = [
      { type: "many_spans", condition: "span_count > 1", severity: "low" },
      { type: "deep_trace", condition: "service_hop_count > 1", severity: "medium" },
    ];
    const ds = alerter(specs).process(scoredTrace());
    expect(ds[0]).toEqual({ kind: "suppressed", type: "many_spans", reason: "min_severity", keys: [] });
    expect(ds[1]).toMatchObject({ kind: "emit", alert: { type: "deep_trace", severityScore: 0.7 } });
  });

  it("returns nothing for a quiet trace", () => {
    expect(alerter().process(scoredTrace())).toEqual([]);
  });
});

describe("alert evidence", () => {
  it("keeps the 20 longest critical-path steps of a long trace, in time order, and says it cut", () => {
    const children = Array.from({ length: 30 }, (_, i) =>
      span(i + 2, 1, `svc${i}`, i * 10, i * 10 + 1 + (i % 7)),
    );
    const trace = completed([span(1, null, "gateway", 0, 300), ...children]);
    const scored = scoredTrace({ total_duration: 300 }, { anomaly_score: 0.99, p99_baseline: 100 });
    const [alert] = emitted(alerter().process(scored, trace));
    const path = alert!.evidence.criticalPath;
    expect(alert!.evidence.criticalPathTruncated).toBe(true);
    expect(path).toHaveLength(20);
    const starts = path.map((s) => s.spanId);
    expect([...starts].sort()).toEqual(starts);
    const all = analyseTrace(trace.spans).criticalPath.map((s) => s.selfTimeMs);
    expect(all).toHaveLength(31);
    const top20 = [...all].sort((a, b) => b - a).slice(0, 20);
    expect(path.map((s) => s.selfTimeMs).sort((a, b) => b - a)).toEqual(top20);
    expect(validate(alert), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe("Alerter: the culprit", () => {
  const slowSpans = completed([
    span(1, null, "gateway", 0, 900),
    span(2, 1, "orders", 10, 880),
    span(3, 2, "payment", 20, 850),
  ]);
  const top = {
    service: "orders",
    operation: "orders|CLIENT|orders.op",
    spanId: "0000000000000002",
    durationMs: 870,
    selfTimeMs: 40,
    p99Ms: 300,
    selfP99Ms: 10,
    excessMs: 30,
    callee: "payment",
  };
  it.each<[string, ScoredTrace["spans"], string]>([
    [
      "span evidence names the culprit: service, Alertmanager label and API filter follow it",
      {
        max_span_excess: 4,
        critical_path_excess_ms: 30,
        spans_over_p99: 2,
        culprit: "payment",
        culprit_excess_ms: 30,
        degraded_spans: 0,
        degraded_share: 0,
        top_spans: [top],
      },
      "payment",
    ],
    ["without span evidence, the slowest service on the critical path", null, "payment"],
    [
      "no span over its baseline: the slowest service",
      {
        max_span_excess: 0.5,
        critical_path_excess_ms: 0,
        spans_over_p99: 0,
        culprit: null,
        culprit_excess_ms: 0,
        degraded_spans: 0,
        degraded_share: 0,
        top_spans: [],
      },
      "payment",
    ],
    [
      "the culprit wins over the slowest service",
      {
        max_span_excess: 4,
        critical_path_excess_ms: 30,
        spans_over_p99: 2,
        culprit: "orders",
        culprit_excess_ms: 30,
        degraded_spans: 0,
        degraded_share: 0,
        top_spans: [top],
      },
      "orders",
    ],
  ])("%s", (_name, spans, service) => {
    const scored = scoredTrace({ total_duration: 900 }, { anomaly_score: 0.99, p99_baseline: 300, spans });
    const [alert] = emitted(alerter().process(scored, slowSpans));
    expect(alert?.type).toBe("latency_spike");
    expect(alert?.service).toBe(service);
    expect(alert?.evidence.services).toEqual([service]);
    expect(alert?.evidence.topSpans).toEqual(spans?.top_spans ?? []);
    expect(alert?.evidence.culprit).toEqual(
      spans?.culprit == null ? null : { service: spans.culprit, excessMs: spans.culprit_excess_ms },
    );
    expect(validate(alert), JSON.stringify(validate.errors)).toBe(true);
  });

  it("an alert on several new edges names every callee", () => {
    const scored = scoredTrace(
      {},
      { new_service_combination: true, new_edges: ["orders->fraud", "gateway->promo", "orders->promo"] },
    );
    const alerts = emitted(alerter().process(scored, slowSpans));
    const path = alerts.find((a) => a.type === "unusual_path");
    expect(path?.evidence.services).toEqual(["fraud", "promo"]);
    expect(path?.evidence.newEdges).toEqual(["orders->fraud", "gateway->promo", "orders->promo"]);
    expect(validate(path), JSON.stringify(validate.errors)).toBe(true);
  });
});
