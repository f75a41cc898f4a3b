import { describe, expect, it } from "vitest";
import { serviceGraphEdges } from "../../../src/metrics/service-graph.js";
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
});
