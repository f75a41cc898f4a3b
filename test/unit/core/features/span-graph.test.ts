import { describe, expect, it } from "vitest";
import { analyseTrace } from "../../../../src/core/alerts/trace-analysis.js";
import { extractTrace } from "../../../../src/core/features/extract.js";
import { spanGraph, SpanRole } from "../../../../src/core/features/span-graph.js";
import type { Span } from "../../../../src/domain/span.js";
import { completed, span } from "../alerts/spans.js";

/** A chain of `depth` spans, each the parent of the next, the deepest one erroring; `order` of the array. */
function chain(depth: number, order: "root_first" | "leaf_first"): Span[] {
  const spans = Array.from({ length: depth }, (_, i) =>
    span(i + 1, i === 0 ? null : i, `svc-${i % 7}`, i, 2 * depth - i, i === depth - 1 ? "ERROR" : "OK"),
  );
  return order === "root_first" ? spans : spans.reverse();
}

/** A root with `width - 1` children, in 10 services. */
function wide(width: number): Span[] {
  return Array.from({ length: width }, (_, i) =>
    span(i + 1, i === 0 ? null : 1, i === 0 ? "gateway" : `svc-${i % 10}`, i === 0 ? 0 : 1, 1_000),
  );
}

const cases: {
  name: string;
  spans: () => Span[];
  root: string;
  /** The alert evidence's root when it differs: the earliest span without a parent in the trace, orphans included. */
  evidenceRoot?: string;
  spanCount: number;
  duplicates: number;
  cycles: number;
  hops: number;
  originDepth?: number;
  /** Spans with self time on the critical path, when checked. */
  pathSteps?: number;
}[] = [
  {
    name: "a span that is its own parent is a root, its cycle counted",
    spans: () => [span(1, 1, "gateway", 0, 100)],
    root: "gateway",
    spanCount: 1,
    duplicates: 0,
    cycles: 1,
    hops: 0,
  },
  {
    name: "a self-parent below a real root becomes a second root; the earliest root wins",
    spans: () => [
      span(2, 2, "orders", 10, 50),
      span(1, null, "gateway", 0, 100),
      span(3, 2, "stock", 20, 30),
    ],
    root: "gateway",
    spanCount: 3,
    duplicates: 0,
    cycles: 1,
    hops: 1,
  },
  {
    name: "a cycle A→B→A is cut at its earliest-starting span",
    spans: () => [span(2, 1, "orders", 10, 50), span(1, 2, "gateway", 0, 100)],
    root: "gateway",
    spanCount: 2,
    duplicates: 0,
    cycles: 1,
    hops: 1,
  },
  {
    name: "a cycle A→B→C→A with a child hanging off it is cut once",
    spans: () => [
      span(1, 3, "gateway", 0, 100),
      span(2, 1, "orders", 5, 90),
      span(3, 2, "stock", 10, 80),
      span(4, 3, "db", 20, 30, "ERROR"),
    ],
    root: "gateway",
    spanCount: 4,
    duplicates: 0,
    cycles: 1,
    hops: 3,
    originDepth: 3,
  },
  {
    name: "two disjoint cycles are each cut",
    spans: () => [span(1, 2, "a", 0, 10), span(2, 1, "b", 1, 9), span(3, 3, "c", 5, 6)],
    root: "a",
    spanCount: 3,
    duplicates: 0,
    cycles: 2,
    hops: 1,
  },
  {
    name: "a repeated span id with different content keeps the first span",
    spans: () => [
      span(1, null, "gateway", 0, 100),
      span(2, 1, "orders", 10, 50),
      span(2, 1, "payments", 0, 5_000, "ERROR"),
    ],
    root: "gateway",
    spanCount: 2,
    duplicates: 1,
    cycles: 0,
    hops: 1,
  },
  {
    name: "a duplicate of the root pointing at a child does not make a cycle",
    spans: () => [
      span(1, null, "gateway", 0, 100),
      span(2, 1, "orders", 10, 50),
      span(1, 2, "gateway", 0, 100),
    ],
    root: "gateway",
    spanCount: 2,
    duplicates: 1,
    cycles: 0,
    hops: 1,
  },
  {
    name: "orphans only: the earliest orphan is the root",
    spans: () => [span(2, 9, "orders", 10, 50), span(3, 8, "stock", 5, 60)],
    root: "stock",
    spanCount: 2,
    duplicates: 0,
    cycles: 0,
    hops: 0,
  },
  {
    name: "several roots: the earliest-starting parentless span is the root, before any orphan",
    spans: () => [span(1, null, "late", 30, 40), span(2, null, "early", 10, 50), span(3, 7, "orphan", 0, 60)],
    root: "early",
    evidenceRoot: "orphan",
    spanCount: 3,
    duplicates: 0,
    cycles: 0,
    hops: 0,
  },
  {
    name: "a chain 10,000 deep, root first",
    spans: () => chain(10_000, "root_first"),
    root: "svc-0",
    spanCount: 10_000,
    duplicates: 0,
    cycles: 0,
    hops: 9_999,
    originDepth: 9_999,
    pathSteps: 10_000,
  },
  {
    name: "a chain 100,000 deep, leaf first",
    spans: () => chain(100_000, "leaf_first"),
    root: "svc-0",
    spanCount: 100_000,
    duplicates: 0,
    cycles: 0,
    hops: 99_999,
    originDepth: 99_999,
    pathSteps: 100_000,
  },
  {
    name: "a trace of 100,000 spans under one root",
    spans: () => wide(100_000),
    root: "gateway",
    spanCount: 100_000,
    duplicates: 0,
    cycles: 0,
    hops: 99_999,
  },
];

describe("messy span graphs: features and alert evidence", () => {
  it.each(cases)("$name", (c) => {
    const spans = c.spans();
    const { features, repairs } = extractTrace(completed(spans));
    expect(features.root_service).toBe(c.root);
    expect(features.span_count).toBe(c.spanCount);
    expect(features.service_hop_count).toBe(c.hops);
    expect(repairs).toEqual({ duplicateSpans: c.duplicates, parentCycles: c.cycles });
    const analysis = analyseTrace(spans);
    expect(analysis.root?.service).toBe(c.evidenceRoot ?? c.root);
    if (c.originDepth !== undefined) expect(analysis.likelyOrigin?.depth).toBe(c.originDepth);
    expect(analysis.criticalPath.length).toBeGreaterThan(0);
    if (c.pathSteps !== undefined) expect(analysis.criticalPath).toHaveLength(c.pathSteps);
  });

  it("leaves every parent chain finite: walking up from any span reaches a root", () => {
    const spans = [
      span(1, 2, "a", 0, 10),
      span(2, 3, "b", 1, 9),
      span(3, 1, "c", 2, 8),
      span(4, 4, "d", 3, 4),
    ];
    const g = spanGraph(spans);
    for (let i = 0; i < spans.length; i++) {
      let steps = 0;
      for (let p = i; p >= 0; p = g.parentOf[p]!) expect(++steps).toBeLessThanOrEqual(spans.length);
    }
    expect(g.cycles).toBe(2);
    expect([...g.roles]).toEqual([SpanRole.Root, SpanRole.Child, SpanRole.Child, SpanRole.Root]);
  });
});
