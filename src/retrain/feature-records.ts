import type { TraceFeatures } from "../domain/features.js";

const NUMBERS = [
  "startTimeMs",
  "total_duration",
  "span_count",
  "error_count",
  "service_hop_count",
  "max_span_duration",
  "affected_services",
] as const;
const STRINGS = ["traceId", "root_service", "root_operation", "group_key"] as const;

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}

/**
 * Reads one feature record (the features topic's JSON, see `featureRecord`) back into features.
 * Returns a reason string instead when the record does not have the fields training needs.
 */
export function parseFeatureRecord(text: string): TraceFeatures | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "not a JSON object";
  const r = v as Record<string, unknown>;
  for (const k of NUMBERS)
    if (typeof r[k] !== "number" || !Number.isFinite(r[k])) return `${k} is not a number`;
  for (const k of STRINGS) if (typeof r[k] !== "string") return `${k} is not a string`;
  if (!isStringArray(r["edges"])) return "edges is not a list of strings";
  if (!isStringArray(r["erroring_services"])) return "erroring_services is not a list of strings";
  return r as unknown as TraceFeatures;
}
