/**
 * The two tiny OTLP/HTTP response messages, encoded by hand (protobuf) or as the OTLP JSON mapping:
 * - ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
 *   ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
 * - google.rpc.Status { int32 code = 1; string message = 2; } for 4xx/5xx answers.
 */

/** Wire formats of the receiver: the request's format decides the response's. */
export type OtlpFormat = "protobuf" | "json";

export const CONTENT_TYPES: Record<OtlpFormat, string> = {
  protobuf: "application/x-protobuf",
  json: "application/json",
};

/** gRPC status codes carried in Status.code. */
export const GrpcCode = {
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** Base-128 varint of a non-negative integer up to 2^53 (int64/int32 values we emit are ≥ 0). */
export function encodeVarint(value: number): number[] {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`varint needs a non-negative safe integer, got ${value}`);
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return out;
}

function tag(field: number, wireType: 0 | 2): number[] {
  return encodeVarint((field << 3) | wireType);
}

function lengthDelimited(field: number, payload: Uint8Array | number[]): number[] {
  return [...tag(field, 2), ...encodeVarint(payload.length), ...payload];
}

/** Partial success of an export: spans refused and why. Zero rejected means full success. */
export interface PartialSuccess {
  readonly rejectedSpans: number;
  readonly errorMessage: string;
}

/** ExportTraceServiceResponse; partial_success is present only when something was rejected or said. */
export function encodeExportResponse(partial: PartialSuccess | null, format: OtlpFormat): Uint8Array {
  const present = partial !== null && (partial.rejectedSpans > 0 || partial.errorMessage !== "");
  if (format === "json") {
    const body = present
      ? {
          partialSuccess: {
            rejectedSpans: String(partial.rejectedSpans),
            errorMessage: partial.errorMessage,
          },
        }
      : {};
    return Buffer.from(JSON.stringify(body), "utf8");
  }
  if (!present) return new Uint8Array(0);
  const inner: number[] = [];
  // proto3 omits default values: 0 rejected spans and "" are not written.
  if (partial.rejectedSpans > 0) inner.push(...tag(1, 0), ...encodeVarint(partial.rejectedSpans));
  if (partial.errorMessage !== "")
    inner.push(...lengthDelimited(2, Buffer.from(partial.errorMessage, "utf8")));
  return Uint8Array.from(lengthDelimited(1, inner));
}

/** google.rpc.Status, the body of every OTLP/HTTP error response. */
export function encodeStatus(code: number, message: string, format: OtlpFormat): Uint8Array {
  if (format === "json") return Buffer.from(JSON.stringify({ code, message }), "utf8");
  const out: number[] = [];
  if (code !== 0) out.push(...tag(1, 0), ...encodeVarint(code));
  if (message !== "") out.push(...lengthDelimited(2, Buffer.from(message, "utf8")));
  return Uint8Array.from(out);
}
