import { spanDurationMs, type AttributeValue, type Span } from "../../domain/span.js";
import type { ValueType } from "./vocabulary.js";

/** One span-level identifier: a comparison that reads it holds when some span of the trace satisfies it. */
export interface SpanIdentifier {
  readonly type: ValueType;
  readonly description: string;
  readonly read: (span: Span) => number | string;
}

/**
 * Span fields a condition may read (sampling policies above all). A comparison or match that reads
 * one of them, or `attributes['key']`, is true when at least one span of the trace satisfies it.
 * docs/alerts.md lists the same table; a test keeps the two in step.
 */
export const SPAN_VOCABULARY: Readonly<Record<string, SpanIdentifier>> = Object.freeze({
  "status.code": {
    type: "string",
    description: "the span's status: UNSET, OK or ERROR",
    read: (s) => s.status,
  },
  duration: { type: "number", description: "the span's duration, ms", read: spanDurationMs },
  name: { type: "string", description: "the span's operation name", read: (s) => s.name },
  service: { type: "string", description: "the span's service.name", read: (s) => s.service },
  kind: {
    type: "string",
    description: "the span's kind: SERVER, CLIENT, PRODUCER, CONSUMER, INTERNAL or UNSPECIFIED",
    read: (s) => s.kind,
  },
});

/** Bare words that stand for their own name as a string (`status.code == ERROR`). */
export const SPAN_CONSTANTS: ReadonlySet<string> = new Set([
  "UNSET",
  "OK",
  "ERROR",
  "SERVER",
  "CLIENT",
  "PRODUCER",
  "CONSUMER",
  "INTERNAL",
  "UNSPECIFIED",
]);

/**
 * A span attribute as `type`, or null when absent or of another kind: numbers and booleans read
 * as strings compare by their text; a string reads as a number only when it is one.
 */
export function attributeAs(
  value: AttributeValue | undefined,
  type: ValueType,
): number | string | boolean | null {
  if (value === undefined || value === null || typeof value === "object") return null;
  if (type === "string") return typeof value === "string" ? value : String(value);
  if (type === "number") {
    if (typeof value === "number") return value;
    const n = typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
    return Number.isFinite(n) ? n : null;
  }
  return typeof value === "boolean" ? value : null;
}
