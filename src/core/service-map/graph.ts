import { DirectedGraph } from "graphology";
import betweennessModule from "graphology-metrics/centrality/betweenness.js";
import type { ServiceMapTotals, SeriesTotals } from "./window.js";

/** Health of a service by its error rate (the seed's ServiceGraph thresholds). */
export type Health = "healthy" | "warning" | "critical";

/** Error-rate thresholds, fractions: healthy below `warning`, critical above `critical`. */
export interface HealthThresholds {
  /** Default 0.01 (the seed's "< 1%" healthy). */
  readonly warning: number;
  /** Default 0.05 (the seed's "> 5%" critical). */
  readonly critical: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = { warning: 0.01, critical: 0.05 };

/** An open incident as the map marks it on its culprit service. */
export interface MapIncident {
  readonly id: string;
  readonly service: string;
  readonly severity: string;
  readonly summary: string;
}

export interface ServiceMapNode {
  readonly id: string;
  readonly requests: number;
  /** Requests per second over the window. */
  readonly requestRate: number;
  readonly errorRate: number;
  /** Latency percentiles of the requests the service handled, ms (null without requests). */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  readonly health: Health;
  readonly inDegree: number;
  readonly outDegree: number;
  /** Normalised betweenness centrality (graphology-metrics). */
  readonly betweenness: number;
  /** On the longest-latency call chain of the map. */
  readonly criticalPath: boolean;
  /** Open incidents whose culprit this service is. */
  readonly incidents: readonly MapIncident[];
}

export interface ServiceMapEdge {
  readonly source: string;
  readonly target: string;
  readonly requests: number;
  readonly avgLatencyMs: number;
  readonly p95LatencyMs: number;
  readonly errorRate: number;
  /** An edge the model in use has not seen (null: no model yet). */
  readonly isNew: boolean | null;
}

export interface ServiceMap {
  /** ISO 8601 UTC. */
  readonly from: string;
  readonly to: string;
  readonly windowMs: number;
  readonly thresholds: HealthThresholds;
  readonly nodes: readonly ServiceMapNode[];
  readonly edges: readonly ServiceMapEdge[];
  /** Service names of the critical path, caller first. */
  readonly criticalPath: readonly string[];
  /** Observations folded into `__overflow__` since the start. */
  readonly overflowed: number;
}

/** What {@link buildServiceMap} needs besides the totals. */
export interface ServiceMapContext {
  readonly thresholds?: HealthThresholds;
  /** Edges (`caller->callee`) the model knows; null while warming up. */
  readonly knownEdges?: ReadonlySet<string> | null;
  readonly incidents?: readonly MapIncident[];
}

/** Health of an error rate: healthy below `warning`, critical above `critical`, warning between. */
export function healthOf(errorRate: number, t: HealthThresholds = DEFAULT_THRESHOLDS): Health {
  if (errorRate > t.critical) return "critical";
  if (errorRate >= t.warning) return "warning";
  return "healthy";
}

// A CommonJS module whose typings declare an ES default export: at run time the import is the function.
const betweenness = betweennessModule as unknown as typeof betweennessModule.default;

const rate = (t: SeriesTotals): number => (t.requests === 0 ? 0 : t.failed / t.requests);
const q = (t: SeriesTotals | undefined, p: number): number | null =>
  t === undefined || t.requests === 0 ? null : round(t.latency.quantile(p));
const round = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * The longest call chain by average latency, caller first: a longest path over the map with
 * back edges (cycles) ignored, memoised per node, so O(V + E).
 */
export function longestPath(graph: DirectedGraph, weight: (edge: string) => number): string[] {
  const best = new Map<string, { len: number; next: string | null }>();
  const onStack = new Set<string>();
  const visit = (node: string): number => {
    const known = best.get(node);
    if (known !== undefined) return known.len;
    if (onStack.has(node)) return 0;
    onStack.add(node);
    let len = 0;
    let next: string | null = null;
    graph.forEachOutEdge(node, (edge, _a, _s, target) => {
      if (onStack.has(target)) return;
      const l = weight(edge) + visit(target);
      if (l > len) [len, next] = [l, target];
    });
    onStack.delete(node);
    best.set(node, { len, next });
    return len;
  };
  let start: string | null = null;
  let top = -1;
  graph.forEachNode((n) => {
    const l = visit(n);
    if (l > top) [top, start] = [l, n];
  });
  const path: string[] = [];
  for (let n: string | null = start; n !== null && !path.includes(n); n = best.get(n)?.next ?? null)
    path.push(n);
  return path.length > 1 ? path : [];
}

/** The service map of a time range: nodes, edges, graph metrics and health. */
export function buildServiceMap(totals: ServiceMapTotals, ctx: ServiceMapContext = {}): ServiceMap {
  const thresholds = ctx.thresholds ?? DEFAULT_THRESHOLDS;
  const windowMs = totals.toMs - totals.fromMs;
  const graph = new DirectedGraph({ allowSelfLoops: false });
  for (const name of totals.nodes.keys()) graph.mergeNode(name);
  for (const [key, t] of totals.edges) {
    const [source, target] = key.split("->") as [string, string];
    if (source === target) continue;
    graph.mergeNode(source);
    graph.mergeNode(target);
    graph.mergeEdgeWithKey(key, source, target, { avg: t.sumMs / Math.max(1, t.requests) });
  }
  const centrality = graph.order > 2 ? betweenness(graph, { normalized: true, getEdgeWeight: null }) : {};
  const critical = longestPath(graph, (e) => graph.getEdgeAttribute(e, "avg") as number);
  const onPath = new Set(critical);
  const incidents = ctx.incidents ?? [];
  const nodes = graph.mapNodes((id): ServiceMapNode => {
    const t = totals.nodes.get(id);
    const errorRate = t === undefined ? 0 : rate(t);
    return {
      id,
      requests: t?.requests ?? 0,
      requestRate: windowMs > 0 ? round(((t?.requests ?? 0) * 1000) / windowMs) : 0,
      errorRate: round(errorRate),
      p50Ms: q(t, 0.5),
      p95Ms: q(t, 0.95),
      p99Ms: q(t, 0.99),
      health: healthOf(errorRate, thresholds),
      inDegree: graph.inDegree(id),
      outDegree: graph.outDegree(id),
      betweenness: round(centrality[id] ?? 0),
      criticalPath: onPath.has(id),
      incidents: incidents.filter((i) => i.service === id),
    };
  });
  const edges = [...totals.edges].map(([key, t]): ServiceMapEdge => {
    const [source, target] = key.split("->") as [string, string];
    return {
      source,
      target,
      requests: t.requests,
      avgLatencyMs: round(t.sumMs / Math.max(1, t.requests)),
      p95LatencyMs: q(t, 0.95) ?? 0,
      errorRate: round(rate(t)),
      isNew: ctx.knownEdges == null ? null : !ctx.knownEdges.has(key),
    };
  });
  return {
    from: new Date(totals.fromMs).toISOString(),
    to: new Date(totals.toMs).toISOString(),
    windowMs,
    thresholds,
    nodes,
    edges,
    criticalPath: critical,
    overflowed: totals.overflowed,
  };
}
