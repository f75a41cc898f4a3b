/** The API documents the dashboard reads (the parts it uses). */

export interface Item {
  readonly kind: "incident" | "alert";
  readonly id: string;
  readonly type: string;
  readonly service: string;
  readonly severity: string;
  readonly summary: string;
  readonly at: string;
  readonly open: boolean;
  readonly traceIds: readonly string[];
  readonly traceCount: number;
  readonly description: string;
}

export interface Row {
  spanId: string;
  service: string;
  operation: string;
  offsetMs: number;
  durationMs: number;
  selfMs: number;
  depth: number;
  error: boolean;
  critical: boolean;
  culprit: boolean;
  baseline?: { p50Ms: number; p99Ms: number; samples: number };
  excessMs?: number;
}

export interface TraceDoc {
  traceId: string;
  startedAt: string;
  durationMs: number;
  spanCount: number;
  waterfall: Row[];
  breakdown: { service: string; selfMs: number; share: number }[];
  criticalPath: { service: string; operation: string; selfMs: number }[];
  alerts: { type: string; severity: string; service: string; culprit: string | null }[];
}

export interface MapNode {
  id: string;
  requests: number;
  requestRate: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  health: "healthy" | "warning" | "critical";
  inDegree: number;
  outDegree: number;
  betweenness: number;
  criticalPath: boolean;
  incidents: { id: string; summary: string }[];
}

export interface MapEdge {
  source: string;
  target: string;
  requests: number;
  avgLatencyMs: number;
  p95LatencyMs: number;
  errorRate: number;
  isNew: boolean | null;
}

export interface ServiceMapDoc {
  windowMs: number;
  nodes: MapNode[];
  edges: MapEdge[];
  criticalPath: string[];
}

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootOperation: string;
  durationMs: number;
  spanCount: number;
  keptAt: string;
  alerts: { type: string; severity: string }[];
}

export interface StatusDoc {
  status: "warming_up" | "loaded";
  warmUp: { samples: number; required: number };
  version: string | null;
  trainedAt: string | null;
  samples: number | null;
}
