import { describe, expect, it } from "vitest";
import { DEFAULT_SAMPLING } from "../../../../src/config/schema-sampling.js";
import { TailSampler, traceDraw, type SamplingSpec } from "../../../../src/core/sampling/sampler.js";
import type { Attributes, Span, SpanStatus } from "../../../../src/domain/span.js";
import { scoredTrace } from "../rules/scored.js";

/** The seed's SamplingStrategy spec (docs: product document, "Sampling Strategies"). */
const seedSpec: SamplingSpec = {
  default: { type: "probabilistic", rate: 0.1 },
  rules: [
    { name: "errors", condition: "status.code == ERROR", type: "always_on" },
    { name: "slow_requests", condition: "duration > 1000", type: "always_on" },
    {
      name: "high_value_users",
      condition: "attributes['user.tier'] == 'enterprise'",
      type: "probabilistic",
      rate: 0.5,
    },
    { name: "health_checks", condition: "attributes['http.path'] =~ '/health|/ping'", type: "always_off" },
  ],
  adaptive: { enabled: false, target_rate: 1000, min_rate: 0.001, max_rate: 1 },
  normal_sample: { per_request_type: 0, interval: 60_000, max_request_types: 100 },
};

/** A trace id whose draw is `draw` (first 13 hex digits). */
const idAt = (draw: number): string =>
  Math.floor(draw * 2 ** 52)
    .toString(16)
    .padStart(13, "0") + "0".repeat(19);

function span(o: { status?: SpanStatus; ms?: number; attributes?: Attributes; traceId?: string } = {}): Span {
  const start = 1_700_000_000_000_000_000n;
  return {
    traceId: o.traceId ?? idAt(0.99),
    spanId: "00f067aa0ba902b7",
    parentSpanId: null,
    service: "frontend",
    name: "GET /",
    kind: "SERVER",
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt((o.ms ?? 10) * 1e6),
    status: o.status ?? "UNSET",
    attributes: o.attributes ?? {},
  };
}

const ctx = { threshold: 0.95 };
const decide = (s: TailSampler, spans: Span[], draw = 0.99, alerted = false, anomaly = 0.99, now = 0) =>
  s.decide(
    scoredTrace(
      { traceId: idAt(draw), error_count: spans.filter((x) => x.status === "ERROR").length },
      { anomaly_score: anomaly },
    ),
    spans,
    alerted,
    now,
  );

describe("TailSampler with the seed's policies", () => {
  it("keeps every alerted trace, health checks included", () => {
    const s = new TailSampler(seedSpec, ctx);
    expect(decide(s, [span({ attributes: { "http.path": "/health" } })], 0.99, true)).toEqual({
      keep: true,
      reason: "alert",
    });
  });

  it.each([
    ["an error", [span({ status: "ERROR" })], 0.99, { keep: true, reason: "policy:errors" }],
    ["a slow request", [span({ ms: 1500 })], 0.99, { keep: true, reason: "policy:slow_requests" }],
    [
      "a health check that errored",
      [span({ status: "ERROR", attributes: { "http.path": "/ping" } })],
      0.01,
      { keep: false, by: "rule", rule: "health_checks" },
    ],
    [
      "an enterprise user under the rule's rate",
      [span({ attributes: { "user.tier": "enterprise" } })],
      0.4,
      { keep: true, reason: "policy:high_value_users" },
    ],
    [
      "an enterprise user over the rule's rate",
      [span({ attributes: { "user.tier": "enterprise" } })],
      0.6,
      { keep: false, by: "rate", rule: "high_value_users" },
    ],
    ["other traffic under the default rate", [span()], 0.05, { keep: true, reason: "default" }],
    ["other traffic over the default rate", [span()], 0.5, { keep: false, by: "rate" }],
  ] as const)("decides %s", (_what, spans, draw, expected) => {
    expect(decide(new TailSampler(seedSpec, ctx), [...spans], draw)).toEqual(expected);
  });

  it("keeps about the configured share of random trace ids", () => {
    const s = new TailSampler(seedSpec, ctx);
    let kept = 0;
    for (let i = 0; i < 20_000; i++) {
      const id = ((i * 2654435761) % 2 ** 32).toString(16).padStart(8, "0") + "0".repeat(24);
      if (traceDraw(id) < 0.1) kept++;
    }
    expect(kept / 20_000).toBeGreaterThan(0.08);
    expect(kept / 20_000).toBeLessThan(0.12);
    expect(s.stats().defaultRate).toBe(0.1);
  });

  it("keeps per_request_type normal traces per request type per interval, never anomalous ones", () => {
    const spec = {
      ...seedSpec,
      normal_sample: { per_request_type: 2, interval: 60_000, max_request_types: 100 },
    };
    const s = new TailSampler(spec, ctx);
    const normal = (now: number) => decide(s, [span()], 0.99, false, 0.2, now);
    expect([normal(0), normal(1), normal(2)].map((d) => d.keep)).toEqual([true, true, false]);
    expect(decide(s, [span()], 0.99, false, 0.99, 3).keep).toBe(false);
    expect(normal(60_000)).toEqual({ keep: true, reason: "normal" });
  });

  it("caps policy keeps at target_rate per minute and adapts the default rate to the traffic", () => {
    const spec = { ...seedSpec, adaptive: { enabled: true, target_rate: 3, min_rate: 0.001, max_rate: 1 } };
    const s = new TailSampler(spec, ctx);
    const errors = Array.from({ length: 5 }, () =>
      decide(s, [span({ status: "ERROR" })], 0.99, false, 0.99, 10),
    );
    expect(errors.map((d) => d.keep)).toEqual([true, true, true, false, false]);
    expect(errors[4]).toEqual({ keep: false, by: "rate_limit" });
    expect(decide(s, [span({ status: "ERROR" })], 0.99, true, 0.99, 20)).toEqual({
      keep: true,
      reason: "alert",
    });
    for (let i = 0; i < 294; i++) decide(s, [span()], 0.99, false, 0.99, 30);
    decide(s, [span()], 0.99, false, 0.99, 60_010);
    // 300 traces in the first minute for a target of 3 per minute: 1%.
    expect(s.stats().defaultRate).toBeCloseTo(0.01, 5);
  });

  it("refuses a hostile pattern when it is built, naming the rule", () => {
    const rules = [{ name: "bots", condition: "attributes['ua'] =~ '(a+)+$'", type: "always_off" as const }];
    expect(() => new TailSampler({ ...seedSpec, rules }, ctx)).toThrow(/sampling rule "bots".*column 26/);
  });

  it("compiles the default configuration's policies", () => {
    expect(() => new TailSampler(DEFAULT_SAMPLING.spec, ctx)).not.toThrow();
  });
});

describe("traceDraw", () => {
  it("is the number the id's first 13 characters parse to in base 16, over 2^52", () => {
    const plain = (id: string) => {
      const n = Number.parseInt(id.slice(0, 13), 16);
      return Number.isFinite(n) ? n / 2 ** 52 : 0;
    };
    let seed = 5;
    const hex = "0123456789abcdefABCDEFxz -";
    const ids = [
      "",
      "f",
      "fffffffffffff",
      "ffffffffffffffffffffffffffffffff",
      "0x1f",
      " 12",
      "-abc",
      "0000000000000",
      "00000000000\u00e90",
      "abc\uffffdef0123456",
    ];
    for (let i = 0; i < 2_000; i++) {
      let id = "";
      const length = i % 4 === 0 ? (i >> 2) % 20 : 32;
      for (let c = 0; c < length; c++) {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        const pick = Math.floor(seed / 65_536);
        id += hex[i % 3 === 0 ? pick % hex.length : pick % 16];
      }
      ids.push(id);
    }
    for (const id of ids) expect(traceDraw(id)).toBe(plain(id));
  });
});
