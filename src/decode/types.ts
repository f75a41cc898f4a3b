import type { ErrorCode } from "../errors.js";
import type { Span } from "../domain/span.js";

/** Span encodings tracewatch reads. `json` is the native span JSON of DESIGN.md. */
export type SpanEncoding = "otlp_proto" | "otlp_json" | "json";

/** One part of a message that was not accepted. `index` is the span's position in the message. */
export interface Rejection {
  readonly code: ErrorCode;
  readonly message: string;
  /** Position of the rejected span in the message (for NDJSON, the line), absent for the whole message. */
  readonly index?: number;
  /** For input read line by line (NDJSON), the 1-based line of the rejected part, as editors count. */
  readonly line?: number;
}

/**
 * Outcome of decoding one message. A whole-message failure is `spans: []` with one rejection
 * without `index`; a partly valid message keeps its valid spans and lists the rest.
 */
export interface DecodeResult {
  readonly spans: Span[];
  readonly rejected: Rejection[];
  /** The encoding the message was read as (detected or configured). */
  readonly encoding: SpanEncoding;
}

/**
 * Which span attributes survive decoding. Attributes dominate the memory of a buffered span, and
 * the detector reads few of them, so by default only root and error spans keep theirs.
 * - `all`: every attribute of every span.
 * - `none`: no attributes except `keys`.
 * - `root_and_error` (default): all attributes of root spans and of spans with status ERROR;
 *   other spans keep only `keys`.
 */
export type AttributeMode = "all" | "none" | "root_and_error";

export interface AttributeRetention {
  /** Default `root_and_error`. */
  readonly mode: AttributeMode;
  /** Attribute keys kept on every span whatever the mode (e.g. `http.route`). Default none. */
  readonly keys: readonly string[];
}

/** Options of {@link decodeSpans}. */
export interface DecodeOptions {
  /** Encoding of the message, or `auto` (default) to detect it per message. */
  readonly encoding?: SpanEncoding | "auto";
  /** Messages larger than this are rejected whole with TW_MESSAGE_TOO_LARGE. Default 16 MiB. */
  readonly maxMessageBytes?: number;
  /** Attribute retention. Default `{ mode: "root_and_error", keys: [] }`. */
  readonly attributes?: Partial<AttributeRetention>;
  /** Service name for spans whose resource has no `service.name`. Default `unknown_service`. */
  readonly defaultService?: string;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_SERVICE = "unknown_service";
