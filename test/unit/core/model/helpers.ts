import type { SpanProfile } from "../../../../src/core/features/span-profile.js";
import type { OperationStats } from "../../../../src/core/model/op-baselines.js";
import type { TraceFeatures } from "../../../../src/domain/features.js";

/** Feature record with defaults, for window, trainer and detector tests. */
export function features(over: Partial<TraceFeatures> = {}): TraceFeatures {
  return {
    traceId: "f".repeat(32),
    startTimeMs: 0,
    total_duration: 100,
    span_count: 10,
    error_count: 0,
    service_hop_count: 3,
    max_span_duration: 90,
    affected_services: 0,
    erroring_services: [],
    edges: ["gw->a"],
    root_service: "gw",
    root_operation: "/*",
    group_key: "gw /* > a /x",
    ...over,
  };
}

/** Deterministic traffic: `n` traces over `spanMs` from `startMs`, two request types. */
export function traffic(n: number, startMs: number, spanMs: number, seed = 1): TraceFeatures[] {
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  return Array.from({ length: n }, (_, i) => {
    const slow = i % 2 === 0;
    const base = slow ? 400 : 40;
    const d = base * (0.8 + 0.4 * rnd());
    return features({
      traceId: i.toString(16).padStart(32, "0"),
      startTimeMs: startMs + Math.floor((i * spanMs) / n),
      total_duration: d,
      max_span_duration: d * 0.9,
      span_count: slow ? 40 : 8,
      service_hop_count: slow ? 12 : 2,
      group_key: slow ? "gw /* > slow /s" : "gw /* > fast /f",
      edges: slow ? ["gw->slow", "slow->db"] : ["gw->fast"],
    });
  });
}

/**
 * Operation baselines as if learned from traces like `p` (100 spans each): each operation's p50
 * and p99 are its span's duration, its self p50 and p99 the span's self time.
 */
export function baselinesFromProfile(p: SpanProfile): Map<string, OperationStats> {
  const out = new Map<string, OperationStats>();
  for (let i = 0; i < p.n; i++) {
    const d = p.durationMs[i] as number;
    const s = p.selfMs[i] as number;
    out.set(p.op[i] as string, { count: 100, p50: d, p99: d, selfP50: s, selfP99: s });
  }
  return out;
}
