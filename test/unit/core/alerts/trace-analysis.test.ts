import { describe, expect, it } from "vitest";
import { analyseTrace } from "../../../../src/core/alerts/trace-analysis.js";
import { span } from "./spans.js";

describe("analyseTrace", () => {
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
