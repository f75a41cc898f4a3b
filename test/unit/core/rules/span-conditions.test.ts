import { describe, expect, it } from "vitest";
import { compileCondition } from "../../../../src/core/rules/compiler.js";
import { MAX_MATCH_INPUT, checkPattern } from "../../../../src/core/rules/regex.js";
import { NO_ATTRIBUTES, type Attributes, type Span, type SpanStatus } from "../../../../src/domain/span.js";
import { extractFeatures } from "../../../../src/core/features/extract.js";
import { scoredTrace } from "./scored.js";

const ctx = { threshold: 0.95 };
const trace = scoredTrace();

function span(over: { status?: SpanStatus; ms?: number; attributes?: Attributes; name?: string } = {}): Span {
  const start = 1_700_000_000_000_000_000n;
  return {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "00f067aa0ba902b7",
    parentSpanId: null,
    service: "frontend",
    name: over.name ?? "GET /cart",
    kind: "SERVER",
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt((over.ms ?? 10) * 1e6),
    status: over.status ?? "UNSET",
    attributes: over.attributes ?? {},
  };
}

const run = (condition: string, spans: readonly Span[]): boolean | null =>
  compileCondition("sampling", condition, ctx).evaluate(trace, spans);

describe("span-level conditions (sampling policies)", () => {
  it.each([
    ["status.code == ERROR", [span(), span({ status: "ERROR" })], true],
    ["status.code == ERROR", [span(), span({ status: "OK" })], false],
    ["duration > 1000", [span({ ms: 1500 })], true],
    ["duration > 1000", [span({ ms: 900 })], false],
    ["attributes['user.tier'] == 'enterprise'", [span({ attributes: { "user.tier": "enterprise" } })], true],
    ["attributes['user.tier'] == 'enterprise'", [span({ attributes: { "user.tier": "free" } })], false],
    ["attributes['user.tier'] == 'enterprise'", [span()], false],
    ["NOT attributes['user.tier'] == 'enterprise'", [span()], true],
    ["attributes['http.path'] =~ '/health|/ping'", [span({ attributes: { "http.path": "/ping" } })], true],
    ["attributes['http.path'] =~ '/health|/ping'", [span({ attributes: { "http.path": "/cart" } })], false],
    [
      "attributes['http.path'] =~ '/health|/ping'",
      [span({ attributes: NO_ATTRIBUTES }), span({ attributes: { "http.path": "/health" } })],
      true,
    ],
    ["attributes['http.path'] !~ '^/api'", [span({ attributes: NO_ATTRIBUTES })], false],
    ["attributes['http.path'] !~ '^/api'", [span({ attributes: { "http.path": "/cart" } })], true],
    ["attributes['http.status_code'] >= 500", [span({ attributes: { "http.status_code": 503 } })], true],
    ["attributes['http.status_code'] == '503'", [span({ attributes: { "http.status_code": 503 } })], true],
    ["name =~ '^GET /c\\w+$'", [span()], true],
    ["status.code == ERROR AND total_duration > 100", [span({ status: "ERROR" })], true],
    ["status.code == ERROR OR total_duration > 1000", [span()], false],
  ] as const)("%s (case %#)", (condition, spans, expected) => {
    expect(run(condition, spans)).toBe(expected);
  });

  it("is false on a trace without spans (alert rules evaluated without them)", () => {
    expect(compileCondition("a", "status.code == ERROR", ctx).evaluate(trace)).toBe(false);
  });

  it("reports span fields among the identifiers and says the condition reads spans", () => {
    const c = compileCondition("a", "status.code == ERROR AND total_duration > 1", ctx);
    expect(c.identifiers).toEqual(["status.code", "total_duration"]);
    expect(c.usesSpans).toBe(true);
    expect(compileCondition("a", "total_duration > 1", ctx).usesSpans).toBe(false);
  });
});

describe("span conditions the trace's features settle", () => {
  const withId = (s: Span, i: number): Span => ({ ...s, spanId: (i + 1).toString(16).padStart(16, "0") });
  const traces: [string, Span[]][] = [
    ["quick, no error", [span(), span({ ms: 20 })].map(withId)],
    ["one span of exactly 1000 ms", [span(), span({ ms: 1000 })].map(withId)],
    ["one span over 1000 ms", [span({ ms: 1500 }), span()].map(withId)],
    ["an error span", [span(), span({ status: "ERROR" })].map(withId)],
    // Every span ends before it starts: the longest span the features give is 0 ms then.
    ["spans ending before they start", [span({ ms: -20 }), span({ ms: -30 })].map(withId)],
    // A repeated span id: the features ignore the repeat, the condition still sees it.
    [
      "a slow error span repeating an id",
      [span(), span({ ms: 1500, status: "ERROR" })].map((s) => withId(s, 0)),
    ],
  ];
  const conditions: [string, (s: Span) => boolean][] = [
    ["duration > 1000", (s) => Number(s.endTimeUnixNano - s.startTimeUnixNano) / 1e6 > 1000],
    ["duration >= 1000", (s) => Number(s.endTimeUnixNano - s.startTimeUnixNano) / 1e6 >= 1000],
    ["duration > 0", (s) => Number(s.endTimeUnixNano - s.startTimeUnixNano) / 1e6 > 0],
    ["duration >= 0", (s) => Number(s.endTimeUnixNano - s.startTimeUnixNano) / 1e6 >= 0],
    ["status.code == ERROR", (s) => s.status === "ERROR"],
    ["status.code == 'ERROR'", (s) => s.status === "ERROR"],
  ];
  it.each(traces)("decide as walking the spans would: %s", (_what, spans) => {
    const features = extractFeatures({ traceId: spans[0]!.traceId, spans, reason: "root", completedAtMs: 0 });
    const scored = scoredTrace(features);
    for (const [condition, holds] of conditions)
      expect(compileCondition("sampling", condition, ctx).evaluate(scored, spans), condition).toBe(
        spans.some(holds),
      );
  });
});

describe("regular expressions are limited to a safe subset", () => {
  it.each([
    ["(a+)+$", 4, "no quantifier on a group that holds a quantifier"],
    ["(x*)*", 4, "no quantifier on a group that holds a quantifier"],
    ["(a)\\1", 3, "no backreference"],
    ["(?=a)b", 0, "no lookahead or lookbehind"],
    ["a".repeat(300), 256, "a pattern of at most 256 characters"],
  ])("refuses %s at offset %i", (pattern, offset, reason) => {
    expect(checkPattern(pattern)).toEqual({ offset, reason });
  });

  it.each(["/health|/ping", "^/api/v[0-9]+/", "(ab)+", "[(+]+x", "a{2,3}b?", "(?:a|b)c"])(
    "accepts %s",
    (p) => {
      expect(checkPattern(p)).toBeNull();
    },
  );

  it("refuses a hostile pattern at compile time with its column in the condition", () => {
    expect(() => compileCondition("health_checks", "attributes['p'] =~ '(a+)+$'", ctx)).toThrow(
      /column 25: expected no quantifier on a group that holds a quantifier/,
    );
  });

  it("matches only the first MAX_MATCH_INPUT characters of a value", () => {
    const long = "x".repeat(MAX_MATCH_INPUT) + "needle";
    expect(run("attributes['q'] =~ 'needle'", [span({ attributes: { q: long } })])).toBe(false);
    expect(run("attributes['q'] =~ 'needle'", [span({ attributes: { q: long.slice(10) } })])).toBe(true);
  });

  it("needs a quoted pattern and a string on the left", () => {
    expect(() => compileCondition("a", "name =~ 5", ctx)).toThrow(/quoted regular expression/);
    expect(() => compileCondition("a", "span_count =~ 'a'", ctx)).toThrow(/a string left of "=~"/);
    expect(() => compileCondition("a", "attributes[user] == 'x'", ctx)).toThrow(/quoted attribute key/);
  });
});

describe("an attribute match over a trace's spans", () => {
  it("is true exactly when some span's attribute, read as text, matches (or, with !~, does not)", () => {
    let seed = 3;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.floor(seed / 65_536) % n;
    };
    const values = ["/health", "/cart", "/ping/x", "", "health", 404, 0, true, false, null, ["/health"]];
    const regex = /\/health|\/ping|^4|true/;
    let matched = 0;
    for (let t = 0; t < 500; t++) {
      const spans = Array.from({ length: next(6) }, () =>
        span({ attributes: next(3) === 0 ? {} : { "http.path": values[next(values.length)]! } }),
      );
      // The straightforward reading: each span's value as the comparison's text, or none.
      const texts = spans.flatMap((s) => {
        const v = s.attributes["http.path"];
        return v === undefined || v === null || typeof v === "object" ? [] : [String(v)];
      });
      const some = texts.some((v) => regex.test(v));
      expect(run("attributes['http.path'] =~ '/health|/ping|^4|true'", spans)).toBe(some);
      expect(run("attributes['http.path'] !~ '/health|/ping|^4|true'", spans)).toBe(
        texts.some((v) => !regex.test(v)),
      );
      expect(run("NOT attributes['http.path'] =~ '/health|/ping|^4|true'", spans)).toBe(!some);
      if (some) matched++;
    }
    expect(matched).toBeGreaterThan(100);
  });
});
