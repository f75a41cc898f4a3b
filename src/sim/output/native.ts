import { nativeJsonSpan } from "../../decode/index.js";
import type { Span } from "../../domain/span.js";

/** One span as a line of native span JSON (NDJSON). */
export function spanToNativeJsonLine(span: Span): string {
  return `${JSON.stringify(nativeJsonSpan(span))}\n`;
}
