import { ProtoWriter } from "../otlp/writer.js";

/**
 * The `grpc-status-details-bin` trailer of a retryable OTLP/gRPC failure: a google.rpc.Status
 * whose details carry one google.rpc.RetryInfo, which tells an OTLP exporter that the server will
 * recover and how long to wait (OTLP specification, "OTLP/gRPC Throttling"). Written by hand, as
 * the messages are tiny and fixed:
 *   google.rpc.Status    { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
 *   google.protobuf.Any  { string type_url = 1; bytes value = 2; }
 *   google.rpc.RetryInfo { google.protobuf.Duration retry_delay = 1; }
 *   google.protobuf.Duration { int64 seconds = 1; int32 nanos = 2; }
 */

export const RETRY_INFO_TYPE_URL = "type.googleapis.com/google.rpc.RetryInfo";

/** Wire tags (field number << 3 | wire type) of the four messages. */
const Status = { code: 8, message: 18, details: 26 } as const;
const Any = { type_url: 10, value: 18 } as const;
const RetryInfo = { retry_delay: 10 } as const;
const Duration = { seconds: 8, nanos: 16 } as const;

/** google.rpc.Status { code, message, details: [Any(RetryInfo { retry_delay })] }, `retryDelayMs` ≥ 0. */
export function encodeStatusWithRetryInfo(code: number, message: string, retryDelayMs: number): Uint8Array {
  if (!Number.isFinite(retryDelayMs) || retryDelayMs < 0)
    throw new RangeError(`retry delay must be a non-negative number of ms, got ${retryDelayMs}`);
  const seconds = Math.floor(retryDelayMs / 1000);
  const nanos = Math.round((retryDelayMs - seconds * 1000) * 1e6);
  const w = new ProtoWriter(128);
  if (code !== 0) w.uint32(Status.code).uint32(code);
  if (message !== "") w.uint32(Status.message).string(message);
  w.uint32(Status.details).begin();
  w.uint32(Any.type_url).string(RETRY_INFO_TYPE_URL);
  // Any.value holds the serialized RetryInfo: a length-delimited field like a nested message.
  w.uint32(Any.value).begin();
  w.uint32(RetryInfo.retry_delay).begin();
  if (seconds > 0) w.uint32(Duration.seconds).int64(BigInt(seconds));
  if (nanos > 0) w.uint32(Duration.nanos).uint32(nanos);
  w.end().end().end();
  return w.finish();
}
