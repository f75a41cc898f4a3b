import { SECRET_KEYS } from "./primitives.js";

/** The placeholder printed instead of a secret. */
export const REDACTED = "[redacted]";

/** A deep copy of `value` with every secret (token, secret, password) replaced, for printing. */
export function redactConfig<T>(value: T): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node === "object" && node !== null) {
      return Object.fromEntries(
        Object.entries(node).map(([k, v]) => [k, SECRET_KEYS.has(k) && v !== undefined ? REDACTED : walk(v)]),
      );
    }
    return node;
  };
  return walk(value) as T;
}
