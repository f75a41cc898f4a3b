import { NO_ATTRIBUTES, type AttributeValue, type Span } from "../../domain/span.js";

import type { KeepReason } from "../sampling/sampler.js";

/** Why a trace was kept (see the tail sampler). */
export type { KeepReason };

/** The alert a kept trace raised, as far as the trace view needs it. */
export interface KeptAlert {
  readonly id: string;
  readonly type: string;
  readonly severity: string;
  /** The service the alert is about. */
  readonly service: string;
  /** The culprit service from span-level evidence, when known. */
  readonly culprit: string | null;
  /** Span ids named as evidence (slowest beyond baseline, likely origin). */
  readonly spanIds: readonly string[];
  /** ISO 8601 UTC. */
  readonly detectedAt: string;
}

/** One kept trace: its spans and why it was kept. */
export interface KeptTrace {
  readonly traceId: string;
  readonly spans: readonly Span[];
  readonly reasons: readonly KeepReason[];
  readonly alerts: readonly KeptAlert[];
  /** Clock time the trace was (last) kept, ms. */
  readonly keptAtMs: number;
  /** Estimated heap held (spans, alerts and the record), bytes. */
  readonly bytes: number;
}

/** A kept trace as listed (no spans). */
export interface KeptTraceSummary {
  readonly traceId: string;
  readonly rootService: string;
  readonly rootOperation: string;
  readonly spanCount: number;
  readonly durationMs: number;
  readonly services: readonly string[];
  readonly alerts: readonly KeptAlert[];
  /** ISO 8601 UTC. */
  readonly keptAt: string;
}

/** Options of {@link KeptTraces}. */
export interface KeptTracesOptions {
  /** Most traces held; default 1000. */
  readonly maxTraces?: number;
  /**
   * Most bytes held (estimated: spans and alerts); default 64 MiB. The service carves it out of
   * `spec.assembly.max_bytes`, the one memory budget (see docs/sampling.md).
   */
  readonly maxBytes?: number;
}

/** Estimated heap of a span: fixed part, its strings and its attributes. */
export function spanBytes(s: Span): number {
  let n = 240 + 2 * (s.service.length + s.name.length);
  const attributes = s.attributes;
  // Most spans keep no attributes (the retention policy's default): one shared empty object.
  if (attributes === NO_ATTRIBUTES) return n;
  for (const k in attributes) {
    const v = attributes[k];
    n += 48 + 2 * k.length + 2 * (typeof v === "string" ? v.length : textLength(v));
  }
  return n;
}

/** Powers of ten exact as numbers: `POW10[i]` is 10^i. */
const POW10 = Array.from({ length: 22 }, (_, i) => 10 ** i);

/**
 * `String(v).length` of an attribute value that is not a string, without making the string for an
 * integer below 10^21 (written out in full, one character per digit and a minus sign) or a boolean.
 */
export function textLength(v: AttributeValue | undefined): number {
  if (typeof v === "boolean") return v ? 4 : 5;
  if (typeof v !== "number" || !Number.isInteger(v) || !(Math.abs(v) < 1e21)) return String(v).length;
  const a = Math.abs(v);
  let digits = 1;
  while (a >= (POW10[digits] as number)) digits++;
  return v < 0 ? digits + 1 : digits;
}

/** Estimated heap of a kept alert: fixed part, its strings and its span ids. */
export function alertBytes(a: KeptAlert): number {
  const strings = a.id.length + a.type.length + a.severity.length + a.service.length + a.detectedAt.length;
  return 160 + 2 * (strings + (a.culprit?.length ?? 0)) + a.spanIds.length * (16 + 2 * 16);
}

/**
 * The traces kept for the on-call view, bounded by count and by bytes: past either bound the
 * oldest kept trace goes first. A trace kept again (a late span re-opened it) replaces its spans
 * and merges its alerts. Named for what it grows into: the store of tail sampling's kept traces.
 */
export class KeptTraces {
  private readonly maxTraces: number;
  private readonly maxBytes: number;
  private readonly traces = new Map<string, KeptTrace>();
  private heldBytes = 0;
  private dropped = 0;

  constructor(o: KeptTracesOptions = {}) {
    this.maxTraces = Math.max(1, o.maxTraces ?? 1000);
    this.maxBytes = o.maxBytes ?? 64 * 1024 * 1024;
  }

  get size(): number {
    return this.traces.size;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  /** Traces evicted to stay within the bounds since the start. */
  get evicted(): number {
    return this.dropped;
  }

  /** Keeps `spans` (one trace) for `reason`, with the alert it raised. */
  keep(spans: readonly Span[], reason: KeepReason, alert: KeptAlert | null, nowMs: number): void {
    const traceId = spans[0]?.traceId;
    if (traceId === undefined) return;
    const earlier = this.traces.get(traceId);
    const alerts = earlier?.alerts.filter((a) => a.id !== alert?.id) ?? [];
    const reasons = earlier?.reasons.includes(reason)
      ? earlier.reasons
      : [...(earlier?.reasons ?? []), reason];
    const allAlerts = alert === null ? alerts : [...alerts, alert];
    let bytes = 200 + 8 * reasons.length;
    for (const s of spans) bytes += spanBytes(s);
    for (const a of allAlerts) bytes += alertBytes(a);
    if (earlier !== undefined) this.remove(traceId);
    if (bytes > this.maxBytes) {
      this.dropped++;
      return;
    }
    const kept: KeptTrace = { traceId, spans, reasons, alerts: allAlerts, keptAtMs: nowMs, bytes };
    this.traces.set(traceId, kept);
    this.heldBytes += bytes;
    while (this.traces.size > this.maxTraces || this.heldBytes > this.maxBytes) {
      const oldest = this.traces.keys().next().value as string;
      this.remove(oldest);
      this.dropped++;
    }
  }

  get(traceId: string): KeptTrace | undefined {
    return this.traces.get(traceId);
  }

  /**
   * Kept traces newest first, at most `limit`; with `service`, those the service took part in;
   * with `edge` (`caller->callee`), those with a call along it.
   */
  list(filter: { service?: string; edge?: string; limit: number }): KeptTraceSummary[] {
    const out: KeptTraceSummary[] = [];
    const all = [...this.traces.values()];
    for (let i = all.length - 1; i >= 0 && out.length < filter.limit; i--) {
      const t = all[i]!;
      if (filter.service !== undefined && !t.spans.some((s) => s.service === filter.service)) continue;
      if (filter.edge !== undefined && !hasEdge(t.spans, filter.edge)) continue;
      out.push(summarise(t));
    }
    return out;
  }

  private remove(traceId: string): void {
    const t = this.traces.get(traceId);
    if (t === undefined) return;
    this.traces.delete(traceId);
    this.heldBytes -= t.bytes;
  }
}

function hasEdge(spans: readonly Span[], edge: string): boolean {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  return spans.some((s) => {
    const p = s.parentSpanId === null ? undefined : byId.get(s.parentSpanId);
    return p !== undefined && p.service !== s.service && p.service + "->" + s.service === edge;
  });
}

function summarise(t: KeptTrace): KeptTraceSummary {
  let root = t.spans[0]!;
  let start = root.startTimeUnixNano;
  let end = root.endTimeUnixNano;
  for (const s of t.spans) {
    if (s.startTimeUnixNano < start) start = s.startTimeUnixNano;
    if (s.endTimeUnixNano > end) end = s.endTimeUnixNano;
    if (
      s.parentSpanId === null &&
      (root.parentSpanId !== null || s.startTimeUnixNano < root.startTimeUnixNano)
    )
      root = s;
  }
  return {
    traceId: t.traceId,
    rootService: root.service,
    rootOperation: root.name,
    spanCount: t.spans.length,
    durationMs: Number(end - start) / 1e6,
    services: [...new Set(t.spans.map((s) => s.service))].sort(),
    alerts: t.alerts,
    keptAt: new Date(t.keptAtMs).toISOString(),
  };
}
