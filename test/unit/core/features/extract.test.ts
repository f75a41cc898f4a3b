import { describe, expect, it } from "vitest";
import { extractFeatures } from "../../../../src/core/features/extract.js";
import { fnv1a } from "../../../../src/core/features/group-key.js";
import type { Span, SpanStatus } from "../../../../src/domain/span.js";
import { NO_ATTRIBUTES } from "../../../../src/domain/span.js";

const T0 = 1_675_079_501_000_000_000n;
const MS = 1_000_000n;

/** [spanId, parentId, service, operation, startMs, endMs, status] relative to T0. */
type Row = [string, string | null, string, string, number, number, SpanStatus?];

function trace(rows: Row[]) {
  const spans: Span[] = rows.map(([id, parent, service, name, s, e, status]) => ({
    traceId: "a".repeat(32),
    spanId: id.padStart(16, "0"),
    parentSpanId: parent === null ? null : parent.padStart(16, "0"),
    service,
    name,
    kind: "SERVER",
    startTimeUnixNano: T0 + BigInt(s) * MS,
    endTimeUnixNano: T0 + BigInt(e) * MS,
    status: status ?? "UNSET",
    attributes: NO_ATTRIBUTES,
  }));
  return { traceId: "a".repeat(32), spans, reason: "flush" as const, completedAtMs: 0 };
}

const gateway: Row[] = [
  ["1", null, "gw", "/*", 0, 100],
  ["2", "1", "gw", "HTTP POST", 1, 99],
  ["3", "2", "travel", "/trips/left", 2, 98],
  ["4", "3", "travel", "SELECT", 3, 10],
  ["5", "3", "route", "/routes", 20, 60, "ERROR"],
  ["6", "3", "basic", "/basic", 61, 97, "ERROR"],
];

describe("extractFeatures", () => {
  it.each([
    {
      name: "a well-formed gateway trace",
      rows: gateway,
      want: {
        total_duration: 100,
        span_count: 6,
        error_count: 2,
        service_hop_count: 3,
        max_span_duration: 100,
        affected_services: 2,
      },
      edges: ["gw->travel", "travel->basic", "travel->route"],
      erroring: ["basic", "route"],
      root: ["gw", "/*"],
    },
    {
      name: "an orphan whose parent never arrived adds no edge and no hop",
      rows: [
        ["1", null, "a", "op", 0, 50],
        ["2", "1", "b", "x", 5, 20],
        ["3", "99", "c", "y", 30, 40],
      ],
      want: { total_duration: 50, span_count: 3, service_hop_count: 1 },
      edges: ["a->b"],
      erroring: [],
      root: ["a", "op"],
    },
    {
      name: "with several roots the earliest one is the root",
      rows: [
        ["1", null, "late", "op", 10, 50],
        ["2", null, "early", "op0", 0, 5],
      ],
      want: { total_duration: 50, service_hop_count: 0 },
      edges: [],
      erroring: [],
      root: ["early", "op0"],
    },
    {
      name: "without a parentless span the earliest orphan is the root",
      rows: [
        ["1", "77", "x", "late", 10, 20],
        ["2", "88", "y", "first", 5, 6],
      ],
      want: { total_duration: 15, service_hop_count: 0 },
      edges: [],
      erroring: [],
      root: ["y", "first"],
    },
    {
      name: "a child ending after its parent (clock skew) extends the trace",
      rows: [
        ["1", null, "a", "op", 0, 10],
        ["2", "1", "b", "x", 5, 25],
      ],
      want: { total_duration: 25, max_span_duration: 20 },
      edges: ["a->b"],
      erroring: [],
      root: ["a", "op"],
    },
    {
      name: "zero-length and inverted spans count as zero duration",
      rows: [
        ["1", null, "a", "op", 5, 5],
        ["2", "1", "a", "x", 9, 7],
      ],
      want: { total_duration: 2, max_span_duration: 0, service_hop_count: 0 },
      edges: [],
      erroring: [],
      root: ["a", "op"],
    },
  ] satisfies Array<{
    name: string;
    rows: Row[];
    want: Record<string, number>;
    edges: string[];
    erroring: string[];
    root: [string, string];
  }>)("$name", ({ rows, want, edges, erroring, root }) => {
    const f = extractFeatures(trace(rows));
    expect(f).toMatchObject(want);
    expect(f.edges).toEqual(edges);
    expect(f.erroring_services).toEqual(erroring);
    expect([f.root_service, f.root_operation]).toEqual(root);
    expect(f.startTimeMs).toBe(Number(T0 / MS) + Math.min(...rows.map((r) => r[4])));
  });

  it("returns zeroed features for a trace without spans", () => {
    const f = extractFeatures({ traceId: "b".repeat(32), spans: [], reason: "flush", completedAtMs: 42 });
    expect(f).toMatchObject({ span_count: 0, total_duration: 0, root_service: "unknown", startTimeMs: 42 });
  });
});

describe("group keys", () => {
  it.each([
    { strategy: "root", want: "gw /*" },
    { strategy: "entry", want: "gw /* > travel /trips/left" },
    { strategy: "entry_ops", want: "gw /* > travel /trips/left" },
    { strategy: "services", want: "gw /* [basic,gw,route,travel]" },
    {
      strategy: "shape",
      want: `gw /* > travel /trips/left #${fnv1a(["basic /basic", "route /routes", "travel /trips/left"].join("\n"))}`,
    },
  ] as const)("$strategy groups by $want", ({ strategy, want }) => {
    expect(extractFeatures(trace(gateway), { groupKey: strategy }).group_key).toBe(want);
  });

  it("entry picks the earliest call out of the root service", () => {
    const rows: Row[] = [
      ["1", null, "gw", "/*", 0, 100],
      ["2", "1", "b", "/late", 50, 60],
      ["3", "1", "c", "/early", 10, 20],
    ];
    expect(extractFeatures(trace(rows), { groupKey: "entry" }).group_key).toBe("gw /* > c /early");
  });

  it("falls back to the root key when the root service calls nothing", () => {
    expect(extractFeatures(trace([["1", null, "solo", "op", 0, 1]]), { groupKey: "entry" }).group_key).toBe(
      "solo op",
    );
  });
});
