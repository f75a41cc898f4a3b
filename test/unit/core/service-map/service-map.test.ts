import { describe, expect, it } from "vitest";
import { buildServiceMap, healthOf, DEFAULT_THRESHOLDS } from "../../../../src/core/service-map/graph.js";
import {
  OVERFLOW_SERVICE,
  ServiceMapWindow,
  type ServiceCall,
} from "../../../../src/core/service-map/window.js";

const call = (client: string, server: string, ms: number, failed = false): ServiceCall => ({
  client,
  server,
  failed,
  serverSeconds: ms / 1000,
});

describe("service map health", () => {
  it.each([
    [0, "healthy"],
    [0.0099, "healthy"],
    [0.01, "warning"],
    [0.05, "warning"],
    [0.0501, "critical"],
  ] as const)("error rate %s is %s by the seed's thresholds", (r, health) => {
    expect(healthOf(r, DEFAULT_THRESHOLDS)).toBe(health);
  });
});

describe("ServiceMapWindow and buildServiceMap", () => {
  it("gives nodes rates, percentiles, degrees, centrality and the critical path, and edges their figures", () => {
    const w = new ServiceMapWindow({ bucketMs: 1000 });
    for (let i = 0; i < 100; i++)
      w.record(
        10_000 + i,
        [call("front", "cart", 20), call("cart", "db", 5, i < 10), call("front", "ads", 2)],
        [{ service: "front", failed: false, ms: 30 }],
      );
    const map = buildServiceMap(w.totals(11_000, 60_000), {
      knownEdges: new Set(["front->cart", "cart->db"]),
    });
    const node = (id: string) => map.nodes.find((n) => n.id === id)!;
    expect(node("cart")).toMatchObject({ requests: 100, inDegree: 1, outDegree: 1, health: "healthy" });
    expect(node("db")).toMatchObject({ errorRate: 0.1, health: "critical", inDegree: 1, outDegree: 0 });
    expect(node("cart").betweenness).toBeGreaterThan(0);
    expect(node("front").betweenness).toBe(0);
    expect(node("cart").p99Ms).toBeCloseTo(20, 0);
    expect(map.criticalPath).toEqual(["front", "cart", "db"]);
    expect(node("ads").criticalPath).toBe(false);
    const edge = map.edges.find((e) => e.source === "front" && e.target === "ads")!;
    expect(edge).toMatchObject({ requests: 100, avgLatencyMs: 2, isNew: true, errorRate: 0 });
    expect(map.edges.find((e) => e.target === "cart")!.isNew).toBe(false);
  });

  it("marks open incidents on their culprit node", () => {
    const w = new ServiceMapWindow();
    w.record(0, [call("a", "b", 1)]);
    const map = buildServiceMap(w.totals(0, 60_000), {
      incidents: [{ id: "i1", service: "b", severity: "high", summary: "b slow" }],
    });
    expect(map.nodes.find((n) => n.id === "b")!.incidents.map((i) => i.id)).toEqual(["i1"]);
    expect(map.nodes.find((n) => n.id === "a")!.incidents).toEqual([]);
    expect(map.edges[0]!.isNew).toBeNull();
  });

  it("counts only the buckets inside the window and forgets those past the retention", () => {
    const w = new ServiceMapWindow({ bucketMs: 1000, retentionMs: 10_000 });
    w.record(0, [call("a", "b", 1)]);
    w.record(8_000, [call("a", "b", 1), call("a", "c", 1)]);
    expect(w.totals(8_500, 60_000).edges.get("a->b")!.requests).toBe(2);
    expect(w.totals(8_500, 2_000).edges.get("a->b")!.requests).toBe(1);
    expect(w.totals(20_000, 60_000).edges.size).toBe(0);
  });

  it("folds services beyond the cap into one overflow node, so memory stays bounded", () => {
    const w = new ServiceMapWindow({ maxServices: 10, maxEdges: 20 });
    for (let i = 0; i < 10_000; i++) w.record(0, [call("front", `svc-${i}`, 1)]);
    const t = w.totals(0, 60_000);
    expect(t.nodes.size).toBeLessThanOrEqual(11);
    expect(t.edges.size).toBeLessThanOrEqual(21);
    expect(t.nodes.has(OVERFLOW_SERVICE)).toBe(true);
    expect(t.overflowed).toBeGreaterThan(9_000);
    const map = buildServiceMap(t);
    expect(map.nodes.length).toBeLessThanOrEqual(11);
  });

  it("admits edges anew once expired ones are forgotten, within the edge cap", () => {
    const w = new ServiceMapWindow({ bucketMs: 1000, retentionMs: 2000, maxEdges: 2 });
    w.record(0, [call("a", "b", 1), call("a", "c", 1), call("a", "d", 1)]);
    expect([...w.totals(0, 2000).edges.keys()].sort()).toEqual([
      `${OVERFLOW_SERVICE}->${OVERFLOW_SERVICE}`,
      "a->b",
      "a->c",
    ]);
    // a->b and a->c expire; a->d and a->e take their places, a->b is over the cap now.
    w.record(10_000, [call("a", "d", 1), call("a", "e", 1)]);
    w.record(10_000, [call("a", "d", 1), call("a", "b", 1)]);
    const t = w.totals(10_000, 2000);
    expect(t.edges.get("a->d")!.requests).toBe(2);
    expect(t.edges.get("a->e")!.requests).toBe(1);
    expect(t.edges.has("a->b")).toBe(false);
    expect(t.edges.get(`${OVERFLOW_SERVICE}->${OVERFLOW_SERVICE}`)!.requests).toBe(1);
  });

  it("counts a called service's requests from its edges and its entries, folded edges included", () => {
    const w = new ServiceMapWindow({ maxEdges: 1 });
    w.record(0, [call("a", "b", 10), call("a", "c", 30, true)], [{ service: "b", failed: false, ms: 20 }]);
    w.record(1, [call("x", "b", 40, true)]);
    const t = w.totals(1, 60_000);
    expect(t.nodes.get("b")).toMatchObject({ requests: 3, failed: 1, sumMs: 70 });
    expect(t.nodes.get("b")!.latency.count).toBe(3);
    expect(t.nodes.get("c")).toMatchObject({ requests: 1, failed: 1, sumMs: 30 });
    expect(t.nodes.has("a")).toBe(false);
    expect(t.edges.get("a->b")).toMatchObject({ requests: 1, failed: 0 });
    expect(t.edges.get(`${OVERFLOW_SERVICE}->${OVERFLOW_SERVICE}`)).toMatchObject({ requests: 2, failed: 2 });
  });
});
