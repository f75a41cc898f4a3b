import { describe, expect, it } from "vitest";
import { buildServiceMap, healthOf, DEFAULT_THRESHOLDS } from "../../../../src/core/service-map/graph.js";
import { LogSketch } from "../../../../src/core/model/sketch.js";
import {
  OVERFLOW_SERVICE,
  ServiceMapWindow,
  type SeriesTotals,
  type ServiceCall,
  type ServiceCallList,
  type ServiceMapTotals,
  type ServiceRequest,
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

  it("records as the plain admit-and-look-up-each-call window does, through caps, buckets and expiry", () => {
    let seed = 11;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.floor(seed / 65_536) % n;
    };
    const o = { bucketMs: 1000, retentionMs: 4000, maxServices: 12, maxEdges: 30 };
    const w = new ServiceMapWindow(o);
    const plain = new PlainWindow(o);
    let now = 0;
    for (let i = 0; i < 20_000; i++) {
      // Mostly small steps within a bucket, now and then past the retention.
      now += next(100) === 0 ? 5_000 : next(40);
      const calls = Array.from({ length: next(6) }, () =>
        call(`s${next(16)}`, `s${next(16)}`, next(500) / 7, next(10) === 0),
      );
      const entries = next(3) === 0 ? [{ service: `s${next(16)}`, failed: false, ms: next(90) }] : [];
      if (next(4) === 0 && entries.length === 1) {
        const e = entries[0]!;
        w.record(now, calls);
        w.recordEntry(now, e.service, e.failed, e.ms);
      } else if (entries.length === 0 && i % 3 === 0) w.recordCalls(now, listOf(calls));
      else w.record(now, calls, entries);
      plain.record(now, calls, entries);
      if (i % 997 === 0 || next(500) === 0)
        expect(summary(w.totals(now, 3000))).toEqual(summary(plain.totals(now, 3000)));
    }
    expect(summary(w.totals(now, 4000))).toEqual(summary(plain.totals(now, 4000)));
    expect(w.totals(now, 4000).overflowed).toBeGreaterThan(0);
  });
});

/** `calls` read by index, as the service-graph edge list hands them over. */
function listOf(calls: readonly ServiceCall[]): ServiceCallList {
  return {
    length: calls.length,
    client: (i) => calls[i]!.client,
    server: (i) => calls[i]!.server,
    failed: (i) => calls[i]!.failed,
    serverSeconds: (i) => calls[i]!.serverSeconds,
  };
}

/** What a window's totals say: counts, sums and a few quantiles per node and edge, by name. */
function summary(t: ServiceMapTotals) {
  const of = (m: ReadonlyMap<string, SeriesTotals>) =>
    [...m]
      .map(([k, v]) => [
        k,
        v.requests,
        v.failed,
        v.sumMs,
        v.latency.count,
        v.latency.quantile(0.5),
        v.latency.quantile(0.99),
      ])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return { nodes: of(t.nodes), edges: of(t.edges), overflowed: t.overflowed };
}

interface PlainTotals extends SeriesTotals {
  readonly server: string | null;
}

/** The window recorded the straightforward way: every call admits its services and builds its key. */
class PlainWindow {
  private readonly buckets: {
    startMs: number;
    nodes: Map<string, SeriesTotals>;
    edges: Map<string, PlainTotals>;
  }[] = [];
  private readonly services = new Set<string>();
  private readonly edgeKeys = new Set<string>();
  private folded = 0;

  constructor(
    private readonly o: { bucketMs: number; retentionMs: number; maxServices: number; maxEdges: number },
  ) {}

  record(nowMs: number, calls: readonly ServiceCall[], entries: readonly ServiceRequest[]): void {
    const b = this.bucketAt(nowMs);
    for (const c of calls) {
      const client = this.admit(c.client);
      const server = this.admit(c.server);
      const ms = c.serverSeconds * 1000;
      let key = client + "->" + server;
      if (!this.edgeKeys.has(key)) {
        if (this.edgeKeys.size >= this.o.maxEdges) {
          this.folded++;
          key = OVERFLOW_EDGE;
        } else this.edgeKeys.add(key);
      }
      let t = b.edges.get(key);
      if (t === undefined)
        b.edges.set(key, (t = { ...fresh(), server: key === OVERFLOW_EDGE ? null : server }));
      count(t, c.failed, ms);
      if (t.server === null) count(nodeOf(b.nodes, server), c.failed, ms);
    }
    for (const e of entries) count(nodeOf(b.nodes, this.admit(e.service)), e.failed, e.ms);
  }

  totals(nowMs: number, windowMs: number): ServiceMapTotals {
    this.expire(nowMs);
    const fromMs = nowMs - Math.min(windowMs, this.o.retentionMs);
    const nodes = new Map<string, SeriesTotals>();
    const edges = new Map<string, SeriesTotals>();
    const into = (m: Map<string, SeriesTotals>, k: string, v: SeriesTotals) => {
      const t = nodeOf(m, k);
      t.requests += v.requests;
      t.failed += v.failed;
      t.sumMs += v.sumMs;
      t.latency.merge(v.latency);
    };
    for (const b of this.buckets) {
      if (b.startMs + this.o.bucketMs <= fromMs) continue;
      for (const [k, v] of b.nodes) into(nodes, k, v);
      for (const [k, v] of b.edges) into(edges, k, v);
      for (const e of b.edges.values()) if (e.server !== null) into(nodes, e.server, e);
    }
    return { fromMs, toMs: nowMs, nodes, edges, overflowed: this.folded };
  }

  private admit(service: string): string {
    if (this.services.has(service)) return service;
    if (this.services.size >= this.o.maxServices) {
      this.folded++;
      return OVERFLOW_SERVICE;
    }
    this.services.add(service);
    return service;
  }

  private bucketAt(nowMs: number) {
    const startMs = Math.floor(nowMs / this.o.bucketMs) * this.o.bucketMs;
    const last = this.buckets[this.buckets.length - 1];
    if (last !== undefined && last.startMs >= startMs) return last;
    this.expire(nowMs);
    const b = { startMs, nodes: new Map<string, SeriesTotals>(), edges: new Map<string, PlainTotals>() };
    this.buckets.push(b);
    return b;
  }

  private expire(nowMs: number): void {
    let n = 0;
    while (
      n < this.buckets.length &&
      this.buckets[n]!.startMs + this.o.bucketMs <= nowMs - this.o.retentionMs
    )
      n++;
    if (n === 0) return;
    this.buckets.splice(0, n);
    this.services.clear();
    this.edgeKeys.clear();
    for (const b of this.buckets) {
      for (const k of b.nodes.keys()) if (k !== OVERFLOW_SERVICE) this.services.add(k);
      for (const [k, e] of b.edges) {
        if (e.server === null) continue;
        this.edgeKeys.add(k);
        if (e.server !== OVERFLOW_SERVICE) this.services.add(e.server);
      }
    }
  }
}

const OVERFLOW_EDGE = `${OVERFLOW_SERVICE}->${OVERFLOW_SERVICE}`;
const fresh = (): SeriesTotals => ({ requests: 0, failed: 0, sumMs: 0, latency: new LogSketch(0.02) });

function nodeOf(m: Map<string, SeriesTotals>, k: string): SeriesTotals {
  let t = m.get(k);
  if (t === undefined) m.set(k, (t = fresh()));
  return t;
}

function count(t: SeriesTotals, failed: boolean, ms: number): void {
  t.requests++;
  if (failed) t.failed++;
  t.sumMs += ms;
  t.latency.add(ms);
}
