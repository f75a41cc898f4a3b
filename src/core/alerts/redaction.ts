import { createHash } from "node:crypto";
import type { AttributeValue, Attributes } from "../../domain/span.js";

/**
 * One configured attribute action (the seed's attributes processor style).
 * - `hash`: the value becomes the lowercase SHA-256 hex of its text (strings as is, other values
 *   as JSON), so equal values still match across alerts.
 * - `delete`: the attribute is removed.
 */
export interface RedactionAction {
  readonly action: "hash" | "delete";
  /** Exact attribute key, e.g. `user.email`. */
  readonly key: string;
}

/** Limits on attributes copied into an alert, so one span cannot blow up an alert. */
export interface AttributeLimits {
  /** Attributes kept per span, in key order. Default 64. */
  readonly maxAttributes?: number;
  /** Longest string value kept, characters; longer ones are cut and end with "…". Default 1024. */
  readonly maxValueLength?: number;
}

/** Applies redaction actions to span attributes before they are put in an alert. */
export class Redactor {
  private readonly actions: ReadonlyMap<string, "hash" | "delete">;
  private readonly maxAttributes: number;
  private readonly maxValueLength: number;

  constructor(actions: readonly RedactionAction[] = [], limits: AttributeLimits = {}) {
    // A later action for the same key wins, as a later line in a config file would.
    this.actions = new Map(actions.map((a) => [a.key, a.action]));
    this.maxAttributes = limits.maxAttributes ?? 64;
    this.maxValueLength = limits.maxValueLength ?? 1024;
  }

  /** A new, redacted and bounded copy of `attributes`; the input is not modified. */
  apply(attributes: Attributes): Record<string, AttributeValue> {
    const out: Record<string, AttributeValue> = {};
    let kept = 0;
    for (const key of Object.keys(attributes).sort()) {
      if (kept >= this.maxAttributes) break;
      const action = this.actions.get(key);
      if (action === "delete") continue;
      const value = attributes[key] as AttributeValue;
      out[key] = action === "hash" ? hashValue(value) : this.bound(value);
      kept += 1;
    }
    return out;
  }

  private bound(value: AttributeValue): AttributeValue {
    if (typeof value === "string" && value.length > this.maxValueLength) {
      return `${value.slice(0, this.maxValueLength)}…`;
    }
    if (Array.isArray(value)) {
      return (value as readonly AttributeValue[]).slice(0, this.maxAttributes).map((v) => this.bound(v));
    }
    return value;
  }
}

/** SHA-256 hex of a value's text: strings as they are, anything else as JSON. */
export function hashValue(value: AttributeValue): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return createHash("sha256").update(text).digest("hex");
}
