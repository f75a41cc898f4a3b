import type { IHeaders, Message } from "kafkajs";
import type { CompletedTrace } from "../domain/trace.js";
import { MessageRedactor } from "../decode/redact-message.js";
import { describeError } from "../errors.js";
import { encodeOtlpProto } from "../otlp/proto-encode.js";
import type { TraceFailure } from "../pipeline/trace-pipeline.js";
import { redactedPayload } from "./dead-letters.js";

const MAX_MESSAGE_HEADER = 1_000;

/**
 * The dead letter of a trace whose processing threw: key the trace id, value its spans as one OTLP
 * protobuf `ExportTraceServiceRequest` with `spec.redaction` applied (as every span dead letter),
 * headers `error.code` (`TW_TRACE_FAILED`), `error.stage`, `error.message`, `trace.id`,
 * `trace.spans` and `payload.encoding`. Never throws: spans that cannot be encoded leave a dead
 * letter without value, `payload.encode_error` saying why.
 */
export function traceDeadLetter(
  trace: CompletedTrace,
  failure: TraceFailure,
  redactor: MessageRedactor = new MessageRedactor(),
): Message {
  const message = describeError(failure.error);
  const headers: IHeaders = {
    "error.code": failure.error.code,
    "error.stage": failure.stage,
    "error.message":
      message.length > MAX_MESSAGE_HEADER ? `${message.slice(0, MAX_MESSAGE_HEADER - 3)}...` : message,
    "trace.id": trace.traceId,
    "trace.spans": String(trace.spans.length),
  };
  try {
    const encoded = Buffer.from(encodeOtlpProto(trace.spans));
    const payload = redactedPayload(encoded, "otlp_proto", redactor);
    return {
      key: trace.traceId,
      value: payload.value,
      headers: { ...headers, "payload.encoding": "otlp_proto", ...payload.headers },
    };
  } catch (err) {
    return {
      key: trace.traceId,
      value: null,
      headers: { ...headers, "payload.encode_error": describeError(err).slice(0, MAX_MESSAGE_HEADER) },
    };
  }
}
