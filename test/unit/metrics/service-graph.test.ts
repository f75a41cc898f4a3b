import { describe, expect, it } from "vitest";
import { spanGraph } from "../../../src/core/features/span-graph.js";
import { ServiceGraphEdgeList, serviceGraphEdges } from "../../../src/metrics/service-graph.js";
import { span } from "./spans.js";

describe("serviceGraphEdges", () => {
  it.each([
    ["a single span", [span(1, null, "gw")], []],
    ["a call inside one service", [span(1, null, "gw"), span(2, 1, "gw", { kind: "INTERNAL" })], []],
    [
      "a SERVER parent calling another service directly",
      [span(1, null, "gw", { durationMs: 30 }), span(2, 1, "orders", { durationMs: 20 })],
      [{ client: "gw", server: "orders", failed: false, serverSeconds: 0.02, clientSeconds: null }],
    ],
    [
      "a CLIENT span calling a SERVER span",
      [
        span(1, null, "gw"),
        span(2, 1, "gw", { kind: "CLIENT", durationMs: 25 }),
        span(3, 2, "orders", { durationMs: 20 }),
      ],
      [{ client: "gw", server: "orders", failed: false, serverSeconds: 0.02, clientSeconds: 0.025 }],
    ],
    [
      "an erroring server span",
      [span(1, null, "gw"), span(2, 1, "pay", { status: "ERROR" })],
      [{ client: "gw", server: "pay", failed: true, serverSeconds: 0.01, clientSeconds: null }],
    ],
    [
      "an erroring client span over a fine server span",
      [span(1, null, "gw", { kind: "CLIENT", status: "ERROR" }), span(2, 1, "pay")],
      [{ client: "gw", server: "pay", failed: true, serverSeconds: 0.01, clientSeconds: 0.01 }],
    ],
    ["an orphan span whose parent is missing", [span(1, null, "gw"), span(3, 2, "pay")], []],
  ])("%s", (_what, spans, expected) => {
    expect(serviceGraphEdges(spans)).toEqual(expected);
  });

  it.each([
    ["a small trace", 10],
    ["a large trace", 200],
  ])("finds each span's parent wherever it is in %s, in end order or not", (_what, n) => {
    // A chain 1 -> 2 -> ... -> n alternating two services: every link is an edge.
    const chain = Array.from({ length: n }, (_, i) =>
      span(i + 1, i === 0 ? null : i, i % 2 === 0 ? "a" : "b", { durationMs: n - i }),
    );
    const startOrder = serviceGraphEdges(chain);
    expect(startOrder).toHaveLength(n - 1);
    expect(startOrder[0]).toMatchObject({ client: "a", server: "b", serverSeconds: (n - 1) / 1000 });
    const endOrder = serviceGraphEdges([...chain].reverse());
    expect(endOrder).toEqual([...startOrder].reverse());
    // Only the edges of the spans at or after newFrom, or with their parent there.
    expect(serviceGraphEdges(chain, n - 1)).toEqual([startOrder[n - 2]]);
  });

  it("finds the same edges from the parent links scoring built as by looking parents up", () => {
    // Random forests (orphans, cross-service calls, any order, small and large) without repeated
    // ids or cycles: the traces whose links the pipeline hands over.
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.floor(seed / 65_536) % n;
    };
    const kinds = ["SERVER", "CLIENT", "PRODUCER", "CONSUMER", "INTERNAL"] as const;
    let edges = 0;
    for (let t = 0; t < 200; t++) {
      const n = 1 + next(t % 10 === 0 ? 150 : 20);
      const spans = Array.from({ length: n }, (_, i) =>
        span(i + 1, i === 0 || next(8) === 0 ? (next(2) === 0 ? null : n + 5) : 1 + next(i), `s${next(4)}`, {
          kind: kinds[next(kinds.length)]!,
          status: next(6) === 0 ? "ERROR" : "UNSET",
          durationMs: next(50),
        }),
      );
      for (let i = n - 1; i > 0; i--) {
        const j = next(i + 1);
        [spans[i], spans[j]] = [spans[j]!, spans[i]!];
      }
      const graph = spanGraph(spans);
      expect(graph.duplicates + graph.cycles).toBe(0);
      const newFrom = next(n + 1);
      const linked = serviceGraphEdges(spans, newFrom, graph.parentOf);
      expect(linked).toEqual(serviceGraphEdges(spans, newFrom));
      edges += linked.length;
    }
    expect(edges).toBeGreaterThan(1000);
  });

  it("reads the durations it is given instead of the spans' times (client, server and root)", () => {
    const spans = [
      span(1, null, "front", { kind: "SERVER", durationMs: 30 }),
      span(2, 1, "front", { kind: "CLIENT", durationMs: 20 }),
      span(3, 2, "cart", { kind: "SERVER", durationMs: 10 }),
    ];
    const graph = spanGraph(spans);
    const list = new ServiceGraphEdgeList();
    list.fill(spans, 0, graph.parentOf);
    expect([list.serverSeconds(0), list.clientSeconds(0), list.rootMs(0)]).toEqual([0.01, 0.02, 30]);
    // Durations as scoring computed them are what is read: here deliberately not the spans' own.
    list.fill(spans, 0, graph.parentOf, Float64Array.of(31e6, 22e6, 13e6));
    expect([list.serverSeconds(0), list.clientSeconds(0), list.rootMs(0)]).toEqual([0.013, 0.022, 31]);
    list.release();
    list.fill(spans, 0, graph.parentOf);
    expect(list.rootMs(0)).toBe(30);
  });

  it("a reused edge list finds each trace's edges as a new one does, longer traces first or not", () => {
    const list = new ServiceGraphEdgeList();
    const chain = (n: number, services: number) =>
      Array.from({ length: n }, (_, i) =>
        span(i + 1, i === 0 ? null : i, `s${i % services}`, {
          durationMs: n - i,
          kind: i % 3 === 0 ? "CLIENT" : "SERVER",
        }),
      );
    for (const spans of [chain(100, 2), chain(5, 2), chain(50, 1), chain(70, 3)]) {
      list.fill(spans);
      expect(Array.from({ length: list.length }, (_, i) => list.edge(i))).toEqual(serviceGraphEdges(spans));
    }
    list.release();
    expect(list.length).toBe(0);
  });

  it("lists the root spans at or after newFrom", () => {
    const list = new ServiceGraphEdgeList();
    // Roots 1 and 5 (parent-less) and 9 (the late root of a re-opened trace); 7 is an orphan.
    const spans = [
      span(2, 1, "api"),
      span(1, null, "gw"),
      span(3, 2, "db"),
      span(5, null, "cron"),
      span(7, 6, "worker"),
      ...Array.from({ length: 6 }, (_, i) => span(20 + i, 5, "cron")),
      span(9, null, "gw"),
    ];
    const roots = () => Array.from({ length: list.rootCount }, (_, r) => list.root(r).spanId);
    list.fill(spans);
    expect(roots()).toEqual([spans[1]!.spanId, spans[3]!.spanId, spans[11]!.spanId]);
    list.fill(spans, 2);
    expect(roots()).toEqual([spans[3]!.spanId, spans[11]!.spanId]);
    list.fill(spans, 4);
    expect(roots()).toEqual([spans[11]!.spanId]);
    list.fill(Array.from({ length: 9 }, (_, i) => span(i + 1, null, "gw")));
    expect(list.rootCount).toBe(9);
    list.release();
    expect(list.rootCount).toBe(0);
  });
});
