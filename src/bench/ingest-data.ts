import type { AttributeValue, Span, SpanKind } from "../domain/span.js";

/** Shape of synthetic ingest traffic (benchmarks and tests). */
export interface SyntheticTraceOptions {
  /** Number of traces. */
  readonly traces: number;
  /** Spans per trace (one root, the rest children of earlier spans). Default 5. */
  readonly spansPerTrace?: number;
  /** Attributes per span. Default 7. */
  readonly attributesPerSpan?: number;
  /** Seed of the deterministic generator. Default 1. */
  readonly seed?: number;
}

/** Start of the first trace, Unix ns: 2026-01-01T00:00:00Z. */
const START_UNIX_NANO = 1_767_225_600_000_000_000n;

const SERVICES = ["gateway", "orders", "payments", "inventory", "users", "shipping", "search", "cart"];
const OPS = ["GET /api/orders", "POST /api/pay", "SELECT", "publish", "GET /users/:id", "reserve", "quote"];
const KINDS: SpanKind[] = ["SERVER", "CLIENT", "INTERNAL", "PRODUCER", "CONSUMER"];

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function hex(rand: () => number, chars: number): string {
  let out = "";
  while (out.length < chars)
    out += Math.floor(rand() * 0x100000000)
      .toString(16)
      .padStart(8, "0");
  return out.slice(0, chars);
}

function attributes(rand: () => number, n: number, i: number): Record<string, AttributeValue> {
  const all: Array<[string, AttributeValue]> = [
    ["http.method", "GET"],
    ["http.route", OPS[i % OPS.length] ?? "/"],
    ["http.status_code", 200],
    ["net.peer.name", `host-${Math.floor(rand() * 50)}`],
    ["db.system", "postgresql"],
    ["retry", false],
    ["payload.bytes", Math.floor(rand() * 10000)],
    ["region", "eu-west-1"],
  ];
  return Object.fromEntries(all.slice(0, n));
}

/** Deterministic synthetic traces: spans of one trace are contiguous in the output. */
export function syntheticSpans(options: SyntheticTraceOptions): Span[] {
  const rand = rng(options.seed ?? 1);
  const perTrace = options.spansPerTrace ?? 5;
  const attrs = options.attributesPerSpan ?? 7;
  const spans: Span[] = [];
  for (let t = 0; t < options.traces; t++) {
    const traceId = hex(rand, 32);
    const traceStart = START_UNIX_NANO + BigInt(t) * 1_000_000n;
    const ids: string[] = [];
    for (let i = 0; i < perTrace; i++) {
      const spanId = hex(rand, 16);
      const parent = i === 0 ? null : (ids[Math.floor(rand() * ids.length)] ?? null);
      ids.push(spanId);
      const offset = BigInt(i) * 100_000n;
      const duration = BigInt(1_000_000 + Math.floor(rand() * 5_000_000)) - offset;
      spans.push({
        traceId,
        spanId,
        parentSpanId: parent,
        service: SERVICES[(t + i) % SERVICES.length] ?? "gateway",
        name: OPS[(t * 7 + i) % OPS.length] ?? "op",
        kind: KINDS[i % KINDS.length] ?? "INTERNAL",
        startTimeUnixNano: traceStart + offset,
        endTimeUnixNano: traceStart + offset + (duration > 0n ? duration : 1n),
        status: "UNSET",
        attributes: attributes(rand, attrs, i),
      });
    }
  }
  return spans;
}
