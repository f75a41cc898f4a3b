import type { Span } from "../domain/span.js";
import { NO_ATTRIBUTES } from "../domain/span.js";
import type { CompletedTrace } from "../domain/trace.js";
import type { TraceFeatures } from "../domain/features.js";
import { Prng } from "../core/model/prng.js";

/** Synthetic feature records for the model benchmark: 8 request types, 2% latency outliers. */
export function syntheticFeatures(n: number, seed = 1): { features: TraceFeatures[]; outlier: boolean[] } {
  const p = new Prng(seed);
  const features: TraceFeatures[] = [];
  const outlier: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const type = i % 8;
    const out = p.next() < 0.02;
    const base = 20 * (type + 1) * Math.exp(0.3 * gauss(p));
    const d = out ? base * (3 + 4 * p.next()) : base;
    features.push({
      traceId: i.toString(16).padStart(32, "0"),
      startTimeMs: 1_700_000_000_000 + i,
      total_duration: d,
      span_count: 5 + 6 * type + (p.next() < 0.1 ? 1 : 0),
      error_count: p.next() < 0.01 ? 1 : 0,
      service_hop_count: 2 + type,
      max_span_duration: d * (0.7 + 0.25 * p.next()),
      affected_services: 0,
      erroring_services: [],
      edges: [`gw->svc${type}`],
      root_service: "gw",
      root_operation: "/*",
      group_key: `gw /* > svc${type} /op`,
    });
    outlier.push(out);
  }
  return { features, outlier };
}

function gauss(p: Prng): number {
  return Math.sqrt(-2 * Math.log(1 - p.next())) * Math.cos(2 * Math.PI * p.next());
}

/** Synthetic traces of `spansPerTrace` spans over 6 services, for the feature extraction benchmark. */
export function syntheticTraces(n: number, spansPerTrace: number, seed = 1): CompletedTrace[] {
  const p = new Prng(seed);
  const out: CompletedTrace[] = [];
  const t0 = 1_700_000_000_000_000_000n;
  for (let t = 0; t < n; t++) {
    const traceId = (t + 1).toString(16).padStart(32, "0");
    const spans: Span[] = [];
    for (let s = 0; s < spansPerTrace; s++) {
      const parent = s === 0 ? null : p.int(s);
      const start = t0 + BigInt(t * 1_000_000 + s * 1000);
      spans.push({
        traceId,
        spanId: (t * spansPerTrace + s + 1).toString(16).padStart(16, "0"),
        parentSpanId:
          parent === null ? null : (t * spansPerTrace + parent + 1).toString(16).padStart(16, "0"),
        service: `svc${s === 0 ? 0 : 1 + p.int(5)}`,
        name: `op${s % 4}`,
        kind: "SERVER",
        startTimeUnixNano: start,
        endTimeUnixNano: start + BigInt(1000 + p.int(1_000_000)),
        status: p.next() < 0.01 ? "ERROR" : "UNSET",
        attributes: NO_ATTRIBUTES,
      });
    }
    out.push({ traceId, spans, reason: "root", completedAtMs: 0 });
  }
  return out;
}
