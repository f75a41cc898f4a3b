import { describe, expect, it } from "vitest";
import { analyseTrace } from "../../../../src/core/alerts/trace-analysis.js";
import { span } from "./spans.js";

describe("analyseTrace", () => {
  it.each([
    {
      what: "names the call that spent the most time outside the callee (a network delay)",
      // catalog's client span 10..1610 waits on inventory's server span 800..1600.
      spans: [
        span(1, null, "gateway", 0, 1700),
        span(2, 1, "catalog", 5, 1650),
        span(3, 2, "catalog", 10, 1610),
        span(4, 3, "inventory", 800, 1600),
        span(5, 2, "pricing", 1620, 1640),
      ],
      expected: { caller: "catalog", callee: "inventory", outsideCalleeMs: 800 },
    },
    {
      what: "ignores a span that fans out to several services",
      spans: [span(1, null, "api", 0, 500), span(2, 1, "a", 10, 20), span(3, 1, "b", 30, 40)],
      expected: null,
    },
    {
      what: "reports nothing when callees account for all of their callers' time",
      spans: [span(1, null, "api", 0, 50), span(2, 1, "db", 0, 50)],
      expected: null,
    },
  ])("$what", ({ spans, expected }) => {
    const call = analyseTrace(spans).slowestCall;
    if (expected === null) expect(call).toBeNull();
    else expect(call).toMatchObject(expected);
  });

  it("walks the critical path through the child that finished last", () => {
    // gateway 0..100 calls cart 10..30 and, in parallel, checkout 10..90 which calls payment 20..80.
    const a = analyseTrace([
      span(1, null, "gateway", 0, 100),
      span(2, 1, "cart", 10, 30),
      span(3, 1, "checkout", 10, 90),
      span(4, 3, "payment", 20, 80),
    ]);
    expect(a.root?.service).toBe("gateway");
    expect(a.criticalPath.map((s) => [s.service, s.selfTimeMs])).toEqual([
      ["gateway", 20],
      ["checkout", 20],
      ["payment", 60],
    ]);
    expect(a.slowestService).toEqual({ service: "payment", selfTimeMs: 60 });
  });

  it("puts sequential children on the path one after another", () => {
    const a = analyseTrace([
      span(1, null, "api", 0, 100),
      span(2, 1, "db", 0, 40),
      span(3, 1, "cache", 50, 95),
    ]);
    expect(a.criticalPath.map((s) => [s.service, s.selfTimeMs])).toEqual([
      ["db", 40],
      ["api", 15],
      ["cache", 45],
    ]);
    expect(a.slowestService).toEqual({ service: "cache", selfTimeMs: 45 });
  });

  it("clips a child that ends after its parent (clock skew) to the parent's end", () => {
    const a = analyseTrace([span(1, null, "api", 0, 50), span(2, 1, "db", 10, 80)]);
    expect(a.criticalPath.map((s) => [s.service, s.selfTimeMs])).toEqual([
      ["api", 10],
      ["db", 40],
    ]);
  });

  const origins: [string, ReturnType<typeof span>[], string | null, number | null][] = [
    ["no errors", [span(1, null, "api", 0, 10)], null, null],
    [
      "the deepest erroring span",
      [
        span(1, null, "api", 0, 10, "ERROR"),
        span(2, 1, "orders", 1, 9, "ERROR"),
        span(3, 2, "db", 2, 8, "ERROR"),
      ],
      "db",
      2,
    ],
    [
      "the one that ended first among equally deep errors",
      [span(1, null, "api", 0, 10), span(2, 1, "a", 1, 9, "ERROR"), span(3, 1, "b", 1, 5, "ERROR")],
      "b",
      1,
    ],
    [
      "an orphan counted from its own top",
      [span(1, null, "api", 0, 10), span(5, 99, "lost", 1, 2, "ERROR")],
      "lost",
      0,
    ],
  ];
  it.each(origins)("finds the likely origin: %s", (_name, spans, service, depth) => {
    const a = analyseTrace(spans);
    expect(a.likelyOrigin?.service ?? null).toBe(service);
    expect(a.likelyOrigin?.depth ?? null).toBe(depth);
  });

  it("picks the earliest root when several spans have no parent in the trace", () => {
    const a = analyseTrace([span(2, null, "late", 5, 10), span(1, 77, "early", 0, 10)]);
    expect(a.root?.service).toBe("early");
  });

  it("survives a parent cycle and an empty trace", () => {
    expect(analyseTrace([]).root).toBeNull();
    const cyc = analyseTrace([span(1, 2, "a", 0, 10, "ERROR"), span(2, 1, "b", 0, 10)]);
    expect(cyc.likelyOrigin?.service).toBe("a");
  });
});
