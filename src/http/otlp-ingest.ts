import { describeRejection, type DecodeResult } from "../decode/index.js";
import type { OtlpIngestResult } from "./otlp-receiver.js";

/** Rejection reasons quoted in a partial-success error_message at most. */
const MAX_REASONS = 3;

/**
 * Maps a decode result to the receiver's answer: an export request without spans is accepted; a
 * message rejected whole (a rejection without index) is malformed (400); otherwise the decoded spans are accepted and the invalid ones
 * reported as partial success, quoting the first few reasons.
 */
export function summarizeDecode(result: Pick<DecodeResult, "spans" | "rejected">): OtlpIngestResult {
  const whole = result.rejected.find((r) => r.index === undefined);
  // An export request without spans is valid OTLP: accept it (200, nothing to report).
  if (result.spans.length === 0 && whole?.code === "TW_NO_SPANS") return { accepted: 0, rejected: 0 };
  if (result.spans.length === 0 && whole !== undefined) {
    return { accepted: 0, rejected: 0, malformed: true, errorMessage: whole.message };
  }
  const reasons = result.rejected.slice(0, MAX_REASONS).map(describeRejection);
  const more =
    result.rejected.length > MAX_REASONS ? ` (and ${result.rejected.length - MAX_REASONS} more)` : "";
  return {
    accepted: result.spans.length,
    rejected: result.rejected.length,
    ...(reasons.length > 0 ? { errorMessage: reasons.join("; ") + more } : {}),
  };
}
