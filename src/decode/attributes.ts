import type { AttributeRetention, DecodeOptions } from "./types.js";

/** A resolved attribute retention policy, cheap to ask per span. */
export interface AttributePolicy {
  /** True when every attribute of this span is kept. */
  keepAll(isRoot: boolean, isError: boolean): boolean;
  /** Keys kept on every span, or null when there are none. */
  readonly keys: ReadonlySet<string> | null;
}

const DEFAULT_RETENTION: AttributeRetention = { mode: "root_and_error", keys: [] };

export function attributePolicy(options: DecodeOptions["attributes"]): AttributePolicy {
  const mode = options?.mode ?? DEFAULT_RETENTION.mode;
  const keyList = options?.keys ?? DEFAULT_RETENTION.keys;
  const keys = keyList.length > 0 ? new Set(keyList) : null;
  switch (mode) {
    case "all":
      return { keys, keepAll: () => true };
    case "none":
      return { keys, keepAll: () => false };
    case "root_and_error":
      return { keys, keepAll: (isRoot, isError) => isRoot || isError };
  }
}
