import { describe, expect, it } from "vitest";
import { parsePrometheusText, sumOf } from "../../../src/status/prometheus-text.js";
import {
  buildStatus,
  formatStatus,
  type IncidentBody,
  type StatusInputs,
} from "../../../src/status/report.js";

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);

const scrape = (scored: number, spans: number) => `# HELP tracewatch_traces_scored_total Traces scored.
# TYPE tracewatch_traces_scored_total counter
tracewatch_traces_scored_total{outcome="scored"} ${scored}
tracewatch_traces_scored_total{outcome="warming_up"} 10
tracewatch_spans_received_total{encoding="otlp_proto"} ${spans}
tracewatch_consumer_lag{topic="otlp_spans",partition="0"} 120
tracewatch_consumer_lag{topic="otlp_spans",partition="1"} 30
tracewatch_dlq_messages_total{reason="decode_failed"} 4
tracewatch_dlq_messages_total{reason="trace_failed"} 1
tracewatch_sink_queue_depth{sink="webhook:ops"} 17
tracewatch_sink_queue_depth{sink="kafka:alerts"} 0
`;

function inputs(over: Partial<StatusInputs> = {}): StatusInputs {
  return {
    readyz: {
      httpStatus: 200,
      body: {
        status: "ready",
        model: "loaded",
        sources: [{ name: "kafka", connected: true }],
        components: [],
      },
    },
    models: {
      status: "loaded",
      model: { version: "20261204T110000000Z-abcd1234", trainedAt: "2026-12-04T11:00:00.000Z" },
    },
    metrics: {
      first: parsePrometheusText(scrape(1000, 20_000)),
      second: parsePrometheusText(scrape(1100, 21_600)),
      elapsedMs: 2_000,
    },
    alertsLastHour: ["latency_spike", "latency_spike", "unusual_path"],
    openIncidents: [],
    problems: [],
    nowMs: NOW,
    ...over,
  };
}

describe("Prometheus text", () => {
  it("reads samples with labels (escapes included) and skips comments and lines it cannot read", () => {
    const s = parsePrometheusText(
      'a_total{x="1",y="say \\"hi\\"\\n"} 3\n# TYPE b gauge\nb 2.5 1700000000000\nc{x="1" 7\nd +Inf\n',
    );
    expect(s).toEqual([
      { name: "a_total", labels: { x: "1", y: 'say "hi"\n' }, value: 3 },
      { name: "b", labels: {}, value: 2.5 },
      { name: "d", labels: {}, value: Number.POSITIVE_INFINITY },
    ]);
    expect(sumOf(s, "a_total", { x: "1" })).toBe(3);
    expect(sumOf(s, "a_total", { x: "2" })).toBeNull();
  });
});

describe("status report", () => {
  it("computes rates from two scrapes, lag per topic, dead letters, model age and backlog", () => {
    const r = buildStatus(inputs());
    expect(r.ready).toBe(true);
    expect(r.tracesPerSecond).toBe(50);
    expect(r.spansPerSecond).toBe(800);
    expect(r.lag).toEqual([{ topic: "otlp_spans", messages: 150 }]);
    expect(r.deadLetters).toEqual({ total: 5, byReason: { decode_failed: 4, trace_failed: 1 } });
    expect(r.model).toMatchObject({ state: "loaded", ageSeconds: 3_600, warmUp: null });
    expect(r.alertsLastHour).toEqual({
      total: 3,
      byType: { latency_spike: 2, unusual_path: 1 },
      truncated: false,
    });
    expect(r.sinkBacklog).toEqual([
      { sink: "webhook:ops", alerts: 17 },
      { sink: "kafka:alerts", alerts: 0 },
    ]);
    const text = formatStatus(r, "http://x:8080");
    expect(text).toContain("lag otlp_spans: 150 messages");
    expect(text).toContain("throughput: 50/s traces, 800/s spans");
    expect(text).toContain("dead letters: 5 since start (decode_failed 4, trace_failed 1)");
    expect(text).toContain(
      "model: loaded, version 20261204T110000000Z-abcd1234, trained 2026-12-04T11:00:00.000Z (60 min ago)",
    );
    expect(text).toContain("alerts, last hour: 3 (latency_spike 2, unusual_path 1)");
    expect(text).toContain("sink backlog: webhook:ops 17, kafka:alerts 0");
  });

  it("is not ready on a 503, names what is down, and shows warm-up progress", () => {
    const r = buildStatus(
      inputs({
        readyz: {
          httpStatus: 503,
          body: {
            status: "not_ready",
            model: "warming_up",
            sources: [{ name: "kafka", connected: false, detail: "topic otlp_spans does not exist" }],
            components: [{ name: "kafka_consumer", ready: false, reason: "waiting for topic otlp_spans" }],
            warmUp: { samples: 150, minSamples: 500, observed: 1500, etaSeconds: 70 },
          },
        },
        models: { status: "warming_up", model: null },
        metrics: null,
        alertsLastHour: null,
        problems: ["/metrics: HTTP 500"],
      }),
    );
    expect(r.ready).toBe(false);
    const text = formatStatus(r, "http://x:8080");
    expect(text).toContain("NOT READY");
    expect(text).toContain("kafka: NOT connected (topic otlp_spans does not exist)");
    expect(text).toContain("throughput: unknown traces, unknown spans");
    expect(text).toContain("model: warming_up\n  warm-up: 150/500 samples (30%), about 70 s to go");
    expect(text).toContain("not ready:\n  kafka_consumer: waiting for topic otlp_spans");
    expect(text).not.toContain("alerts, last hour");
    expect(text).toContain("note: /metrics: HTTP 500");
  });
});

/** An open incident as the API lists it, opened `openedMinAgo` and last seen `lastMinAgo` before NOW. */
function incident(
  n: number,
  service: string,
  type: string,
  openedMinAgo: number,
  lastMinAgo: number,
  over: Partial<IncidentBody> = {},
): IncidentBody {
  return {
    id: n.toString(16).padStart(32, "0"),
    type,
    service,
    status: "open",
    severity: "medium",
    openedAt: new Date(NOW - openedMinAgo * 60_000).toISOString(),
    lastSeenAt: new Date(NOW - lastMinAgo * 60_000).toISOString(),
    traceCount: 10 * n,
    summary: `${service} is slow (${n})`,
    ...over,
  };
}

describe("status report: open incidents", () => {
  const many = Array.from({ length: 12 }, (_, k) =>
    incident(k + 1, `svc-${k + 1}`, "latency_spike", 100 - k, 1),
  );
  const cases: {
    name: string;
    over: Partial<StatusInputs>;
    report: unknown;
    printed: string[];
    notPrinted: string[];
  }[] = [
    {
      name: "none open",
      over: { openIncidents: [] },
      report: { open: 0, truncated: false, items: [] },
      printed: ["open incidents: none\n"],
      notPrinted: ["open incidents: unknown"],
    },
    {
      name: "several, newest first, each with service, type, age, traces and summary",
      over: {
        openIncidents: [
          incident(1, "cart", "latency_spike", 90, 2, { severity: "critical" }),
          incident(2, "payment", "error_burst", 5, 0.5),
          // An older serve that ignores ?status=open: the resolved one is left out here.
          incident(3, "auth", "latency_spike", 30, 20, { status: "resolved" }),
        ],
      },
      report: {
        open: 2,
        truncated: false,
        items: [
          {
            id: "00000000000000000000000000000002",
            service: "payment",
            type: "error_burst",
            severity: "medium",
            ageSeconds: 300,
            quietSeconds: 30,
            traces: 20,
            summary: "payment is slow (2)",
            firstSeen: "2026-12-04T11:55:00.000Z",
            lastSeen: "2026-12-04T11:59:30.000Z",
          },
          { service: "cart", type: "latency_spike", severity: "critical", ageSeconds: 5_400, traces: 10 },
        ],
      },
      printed: [
        "open incidents: 2\n" +
          "  payment error_burst (medium), open 5 min, last seen 30 s ago, 20 traces: payment is slow (2)\n" +
          "  cart latency_spike (critical), open 90 min, last seen 2 min ago, 10 traces: cart is slow (1)\n",
      ],
      notPrinted: ["auth", "more"],
    },
    {
      name: "more than ten: the newest ten and how many more, at least so many when cut",
      over: { openIncidents: many, incidentsTruncated: true },
      report: { open: 12, truncated: true },
      printed: [
        "open incidents: at least 12\n  svc-12 latency_spike",
        "  svc-3 latency_spike",
        "  ... at least 2 more (GET /api/v1/incidents)\n",
      ],
      notPrinted: ["svc-2 ", "svc-1 "],
    },
    {
      name: "unreadable",
      over: { openIncidents: null, problems: ["/api/v1/incidents?status=open&limit=1000: HTTP 500"] },
      report: null,
      printed: ["open incidents: unknown\n", "note: /api/v1/incidents?status=open&limit=1000: HTTP 500"],
      notPrinted: ["open incidents: none"],
    },
  ];
  it.each(cases)("$name", ({ over, report, printed, notPrinted }) => {
    const r = buildStatus(inputs(over));
    if (report === null) expect(r.incidents).toBeNull();
    else expect(r.incidents).toMatchObject(report as object);
    if (r.incidents !== null) expect(r.incidents.items.length).toBeLessThanOrEqual(10);
    const text = formatStatus(r, "http://x:8080");
    for (const p of printed) expect(text).toContain(p);
    for (const p of notPrinted) expect(text).not.toContain(p);
    // The block sits between the alerts and the sink backlog.
    expect(text.indexOf("open incidents:")).toBeLessThan(text.indexOf("sink backlog:"));
  });
});
