import { NO_ATTRIBUTES, type AttributeValue, type Attributes } from "../domain/span.js";
import type { AttributePolicy } from "./attributes.js";
import type { Interner } from "./intern.js";

const NANO_KEYS = "startTimeUnixNano|endTimeUnixNano|start_time_unix_nano|end_time_unix_nano|timeUnixNano";
const BARE_NANOS = new RegExp(`"(${NANO_KEYS})"(\\s*):(\\s*)(-?\\d+)(?![\\d.eE])`, "g");

/**
 * Parses JSON whose nanosecond times may be bare integers above 2^53: those are quoted before
 * parsing so that no digit is lost to a float.
 */
export function parseJsonKeepingNanos(text: string): unknown {
  return JSON.parse(text.replace(BARE_NANOS, '"$1"$2:$3"$4"'));
}

/**
 * The message of a JSON parse error without the excerpt of the input that V8 puts in it
 * (`Unexpected token 'a', "{"user.email": alice@..."... is not valid JSON`): the excerpt may hold
 * personal data, and the message goes to dead-letter headers and logs.
 */
export function jsonErrorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, "");
}

/** A nanosecond time from a JSON string or safe integer, or a problem description. */
export function parseNanos(value: unknown, field: string): bigint | string {
  if (typeof value === "string" && /^\d{1,20}$/.test(value)) return BigInt(value);
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (value === undefined || value === null) return `${field} is missing`;
  return `${field} is not an unsigned integer`;
}

const HEX32 = /^[0-9a-fA-F]{32}$/;
const HEX16 = /^[0-9a-fA-F]{16}$/;
const ZERO = /^0+$/;

/** Lowercase hex id, or a problem description. `kind` names the id in the message. */
export function parseHexId(value: unknown, bytes: 16 | 8, kind: string): { id: string } | string {
  if (typeof value !== "string" || value.length === 0) return `${kind} is missing`;
  if (!(bytes === 16 ? HEX32 : HEX16).test(value)) return `${kind} must be ${bytes * 2} hex characters`;
  if (ZERO.test(value)) return `${kind} is all zeros`;
  return { id: value.toLowerCase() };
}

/** Parent id: null for roots (absent, null, empty or all zeros), else 16 hex characters. */
export function parseParentId(value: unknown): { id: string | null } | string {
  if (value === undefined || value === null || value === "") return { id: null };
  if (typeof value !== "string" || !HEX16.test(value))
    return "parent span id must be empty or 16 hex characters";
  return { id: ZERO.test(value) ? null : value.toLowerCase() };
}

/** Applies the retention policy to a decoded attribute map. */
export function retainAttributes(
  all: Record<string, AttributeValue> | null,
  policy: AttributePolicy,
  isRoot: boolean,
  isError: boolean,
  interner: Interner,
): Attributes {
  if (all === null) return NO_ATTRIBUTES;
  const keepAll = policy.keepAll(isRoot, isError);
  if (!keepAll && policy.keys === null) return NO_ATTRIBUTES;
  const out: Record<string, AttributeValue> = {};
  let kept = 0;
  for (const key in all) {
    if (!keepAll && !policy.keys?.has(key)) continue;
    const value = all[key];
    if (value === undefined) continue;
    // Nested objects are not attribute values: keep them as their JSON text.
    out[interner.intern(key)] =
      typeof value === "object" && value !== null && !Array.isArray(value) ? JSON.stringify(value) : value;
    kept++;
  }
  return kept === 0 ? NO_ATTRIBUTES : out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The first of `keys` present on `obj` (camelCase and the proto field name are both accepted). */
export function pick(obj: Record<string, unknown>, camel: string, snake: string): unknown {
  const v = obj[camel];
  return v === undefined ? obj[snake] : v;
}
