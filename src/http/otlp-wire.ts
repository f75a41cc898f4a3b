import { Tag_ExportTracePartialSuccess, Tag_ExportTraceServiceResponse } from "../otlp/generated/fields.js";
import { ProtoWriter } from "../otlp/writer.js";

/**
 * The two tiny OTLP/HTTP response messages, as protobuf or as the OTLP JSON mapping:
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

/** Wire tags of google.rpc.Status (not among the generated OTLP messages). */
const enum Tag_Status {
  code = 8,
  message = 18,
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
  const w = new ProtoWriter(64);
  w.uint32(Tag_ExportTraceServiceResponse.partial_success).begin();
  // proto3 omits default values: 0 rejected spans and "" are not written.
  if (partial.rejectedSpans > 0) {
    if (!Number.isSafeInteger(partial.rejectedSpans))
      throw new RangeError(`rejected span count must be a safe integer, got ${partial.rejectedSpans}`);
    w.uint32(Tag_ExportTracePartialSuccess.rejected_spans).int64(BigInt(partial.rejectedSpans));
  }
  if (partial.errorMessage !== "")
    w.uint32(Tag_ExportTracePartialSuccess.error_message).string(partial.errorMessage);
  return w.end().finish();
}

/** google.rpc.Status, the body of every OTLP/HTTP error response. */
export function encodeStatus(code: number, message: string, format: OtlpFormat): Uint8Array {
  if (format === "json") return Buffer.from(JSON.stringify({ code, message }), "utf8");
  const w = new ProtoWriter(64);
  if (code !== 0) w.uint32(Tag_Status.code).uint32(code);
  if (message !== "") w.uint32(Tag_Status.message).string(message);
  return w.finish();
}
