import type { Span } from "../domain/span.js";
import { describeError } from "../errors.js";
import { decodeOtlpJsonObject, OtlpJsonError } from "../otlp/json-decode.js";
import { decodeOtlpProtoSpans, type OtlpDecodeContext } from "../otlp/proto-decode.js";
import { WireError } from "../otlp/reader.js";
import { StringCache } from "../otlp/string-cache.js";
import { attributePolicy } from "./attributes.js";
import { sharedInterner } from "./intern.js";
import { isRecord, jsonErrorText, parseJsonKeepingNanos } from "./json-common.js";
import { decodeNativeJson } from "./native-json.js";
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_SERVICE,
  type DecodeOptions,
  type DecodeResult,
  type Rejection,
  type SpanEncoding,
} from "./types.js";

export type {
  AttributeMode,
  AttributeRetention,
  DecodeOptions,
  DecodeResult,
  Rejection,
  SpanEncoding,
} from "./types.js";
export { Interner, sharedInterner } from "./intern.js";

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/**
 * The encoding a message looks like. OTLP protobuf requests usually start with tag 0x0a
 * (`resource_spans`); `{` and `[` are not valid first bytes of one (group tags), so JSON is
 * unambiguous. Whitespace bytes are also tags of unknown fields (0x20: field 4, varint), so a
 * message starting with one is JSON only when `{` or `[` follows the whitespace.
 */
export function detectEncoding(bytes: Uint8Array): SpanEncoding {
  const first = bytes[0];
  const blank = first === 0x20 || first === 0x09 || first === 0x0d;
  if (first === OPEN_BRACE || first === OPEN_BRACKET || (blank && startsWithJsonAfterWhitespace(bytes))) {
    return looksLikeOtlpJson(bytes) ? "otlp_json" : "json";
  }
  return "otlp_proto";
}

function looksLikeOtlpJson(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 64)).toString("latin1");
  return /^\s*\{\s*"resource_?[sS]pans"/.test(head);
}

function startsWithJsonAfterWhitespace(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === OPEN_BRACE || b === OPEN_BRACKET;
  }
  return false;
}

/**
 * One rejection as text: `line <line>: <message>` for line-by-line input, `span <index>: <message>`,
 * or the message alone for a whole-message one.
 */
export function describeRejection(r: Pick<Rejection, "message" | "index" | "line">): string {
  if (r.line !== undefined) return `line ${r.line}: ${r.message}`;
  return r.index === undefined ? r.message : `span ${r.index}: ${r.message}`;
}

function whole(code: Rejection["code"], message: string, encoding: SpanEncoding): DecodeResult {
  return { spans: [], rejected: [{ code, message }], encoding };
}

/**
 * Decodes one message (a Kafka record value or an HTTP body) into spans. Never throws for bad
 * input: a message that cannot be read at all is `spans: []` plus one rejection without index;
 * invalid spans of an otherwise readable message are listed with their index.
 */
export function decodeSpans(bytes: Uint8Array, options: DecodeOptions = {}): DecodeResult {
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const configured = options.encoding ?? "auto";
  let encoding = configured === "auto" ? detectEncoding(bytes) : configured;
  if (bytes.byteLength > maxBytes) {
    return whole(
      "TW_MESSAGE_TOO_LARGE",
      `message is ${bytes.byteLength} bytes, the limit is ${maxBytes}`,
      encoding,
    );
  }
  if (bytes.byteLength === 0) return whole("TW_DECODE_FAILED", "message is empty", encoding);
  const ctx = contextFor(options);
  let result: { spans: Span[]; rejected: Rejection[] };
  try {
    if (encoding === "otlp_proto") {
      try {
        result = decodeOtlpProtoSpans(bytes, ctx);
      } catch (err) {
        // NDJSON or pretty JSON may start with a newline, which is also the protobuf tag byte.
        if (configured !== "auto" || !startsWithJsonAfterWhitespace(bytes)) throw err;
        encoding = looksLikeOtlpJson(bytes) ? "otlp_json" : "json";
        result = decodeJson(bytes, encoding, ctx);
      }
    } else {
      result = decodeJson(bytes, encoding, ctx);
    }
  } catch (err) {
    if (err instanceof WireError || err instanceof OtlpJsonError || err instanceof SyntaxError) {
      const what = encoding === "otlp_proto" ? "invalid OTLP protobuf" : "invalid JSON";
      const detail = err instanceof SyntaxError ? jsonErrorText(err) : describeError(err);
      return whole("TW_DECODE_FAILED", `${what}: ${detail}`, encoding);
    }
    throw err;
  }
  if (result.spans.length === 0 && result.rejected.length === 0) {
    return whole("TW_NO_SPANS", "message contains no spans", encoding);
  }
  return { spans: result.spans, rejected: result.rejected, encoding };
}

const sharedStrings = new StringCache(sharedInterner);
const contexts = new WeakMap<DecodeOptions, OtlpDecodeContext>();

/** Decode contexts are cached per options object: callers pass the same options per source. */
function contextFor(options: DecodeOptions): OtlpDecodeContext {
  let ctx = contexts.get(options);
  if (ctx === undefined) {
    ctx = {
      interner: sharedInterner,
      strings: sharedStrings,
      policy: attributePolicy(options.attributes),
      defaultService: options.defaultService ?? DEFAULT_SERVICE,
    };
    contexts.set(options, ctx);
  }
  return ctx;
}

function decodeJson(
  bytes: Uint8Array,
  encoding: SpanEncoding,
  ctx: OtlpDecodeContext,
): { spans: Span[]; rejected: Rejection[] } {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  if (encoding === "json") return decodeNativeJson(text, ctx);
  const parsed = parseJsonKeepingNanos(text);
  if (!isRecord(parsed)) throw new OtlpJsonError("message is not a JSON object");
  return decodeOtlpJsonObject(parsed, ctx);
}

/**
 * One span as a native span JSON object (DESIGN.md): nanosecond times as decimal strings, so no
 * reader has to pass them through a float.
 */
export function nativeJsonSpan(span: Span): Record<string, unknown> {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    service: span.service,
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: span.startTimeUnixNano.toString(),
    endTimeUnixNano: span.endTimeUnixNano.toString(),
    status: span.status,
    attributes: span.attributes,
  };
}

/** Encodes spans as native span JSON (an array). */
export function encodeNativeJson(spans: readonly Span[]): Uint8Array {
  return Buffer.from(JSON.stringify(spans.map(nativeJsonSpan)), "utf8");
}
