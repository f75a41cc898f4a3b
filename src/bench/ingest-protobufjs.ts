import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Span, SpanKind, SpanStatus } from "../domain/span.js";
import { median, otlpMessages, timed } from "./ingest-common.js";
import type { IngestBenchOptions } from "./ingest.js";

const KINDS: SpanKind[] = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"];
const STATUSES: SpanStatus[] = ["UNSET", "OK", "ERROR"];
const PROTO_DIR = join(fileURLToPath(import.meta.url), "../../../vendor/opentelemetry-proto");

interface PjsSpan {
  trace_id: Uint8Array;
  span_id: Uint8Array;
  parent_span_id: Uint8Array;
  name: string;
  kind: number;
  start_time_unix_nano: { toString(): string };
  end_time_unix_nano: { toString(): string };
  status?: { code?: number };
}
interface PjsRequest {
  resource_spans: Array<{ scope_spans: Array<{ spans: PjsSpan[] }> }>;
}

/**
 * The alternative we measured against: protobufjs decoding with types built from the vendored
 * .proto files (its runtime-generated decoders, the code `pbjs -t static-module` would emit),
 * then converted to our Span. Null when protobufjs (a dev dependency) is not installed.
 */
export async function benchDecodeProtobufjs(options: IngestBenchOptions = {}): Promise<number | null> {
  let protobuf: typeof import("protobufjs");
  try {
    protobuf = (await import("protobufjs")).default;
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_MODULE_NOT_FOUND") return null;
    throw err;
  }
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
  root.loadSync("opentelemetry/proto/collector/trace/v1/trace_service.proto", { keepCase: true });
  const type = root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");
  const { messages, spans } = otlpMessages({
    traces: (options.spans ?? 200_000) / 10,
    spansPerTrace: 10,
    spansPerMessage: 100,
    seed: 7,
  });
  const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
  const decode = (bytes: Buffer): Span[] => {
    const req = type.decode(bytes) as unknown as PjsRequest;
    const out: Span[] = [];
    for (const rs of req.resource_spans) {
      for (const ss of rs.scope_spans) {
        for (const s of ss.spans) {
          out.push({
            traceId: hex(s.trace_id),
            spanId: hex(s.span_id),
            parentSpanId: s.parent_span_id.length === 0 ? null : hex(s.parent_span_id),
            service: "unknown_service",
            name: s.name,
            kind: KINDS[s.kind] ?? "UNSPECIFIED",
            startTimeUnixNano: BigInt(s.start_time_unix_nano.toString()),
            endTimeUnixNano: BigInt(s.end_time_unix_nano.toString()),
            status: STATUSES[s.status?.code ?? 0] ?? "UNSET",
            attributes: {},
          });
        }
      }
    }
    return out;
  };
  const rates: number[] = [];
  for (let r = 0; r < (options.runs ?? 5); r++) {
    let decoded = 0;
    const seconds = await timed(() => {
      for (const m of messages) decoded += decode(m).length;
    });
    if (decoded !== spans) throw new Error(`protobufjs decoded ${decoded} of ${spans} spans`);
    rates.push(spans / seconds);
  }
  return Math.round(median(rates));
}
