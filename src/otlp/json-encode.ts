import type { AttributeValue, Attributes, Span } from "../domain/span.js";
import { ENCODER_SCOPE, groupByService } from "./proto-encode.js";
import { KINDS, STATUSES } from "./proto-decode.js";

type JsonAnyValue = Record<string, unknown>;

function anyValue(value: AttributeValue): JsonAnyValue {
  if (value === null) return {};
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (typeof value === "number") {
    return Number.isSafeInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  }
  return { arrayValue: { values: value.map(anyValue) } };
}

function keyValues(attributes: Attributes): Array<{ key: string; value: JsonAnyValue }> {
  const out: Array<{ key: string; value: JsonAnyValue }> = [];
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) out.push({ key, value: anyValue(value) });
  }
  return out;
}

/** The OTLP/JSON object of an `ExportTraceServiceRequest` holding `spans` (one resource per service). */
function otlpJsonObject(spans: readonly Span[]): Record<string, unknown> {
  const resourceSpans = [...groupByService(spans)].map(([service, group]) => ({
    resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
    scopeSpans: [
      {
        scope: { name: ENCODER_SCOPE },
        spans: group.map((s) => ({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? "",
          name: s.name,
          kind: KINDS.indexOf(s.kind),
          startTimeUnixNano: s.startTimeUnixNano.toString(),
          endTimeUnixNano: s.endTimeUnixNano.toString(),
          attributes: keyValues(s.attributes),
          status: { code: STATUSES.indexOf(s.status) },
        })),
      },
    ],
  }));
  return { resourceSpans };
}

/** Encodes spans as OTLP/JSON (UTF-8 bytes), the collector's `otlp_json` encoding. */
export function encodeOtlpJson(spans: readonly Span[]): Uint8Array {
  return Buffer.from(JSON.stringify(otlpJsonObject(spans)), "utf8");
}
