import { describe, expect, it } from "vitest";
import { summarizeDecode } from "../../../src/http/otlp-ingest.js";
import type { Span } from "../../../src/domain/span.js";

const S = {} as Span;
const bad = (index?: number, message = "invalid span id") => ({
  code: "TW_SPAN_INVALID" as const,
  message,
  ...(index === undefined ? {} : { index }),
});

describe("summarizeDecode", () => {
  it.each([
    ["all spans valid", { spans: [S, S], rejected: [] }, { accepted: 2, rejected: 0 }],
    [
      "some spans invalid",
      { spans: [S], rejected: [bad(1)] },
      { accepted: 1, rejected: 1, errorMessage: "span 1: invalid span id" },
    ],
    [
      "many spans invalid",
      { spans: [], rejected: [bad(0), bad(1), bad(2), bad(3), bad(4)] },
      {
        accepted: 0,
        rejected: 5,
        errorMessage:
          "span 0: invalid span id; span 1: invalid span id; span 2: invalid span id (and 2 more)",
      },
    ],
    [
      "an undecodable message",
      {
        spans: [],
        rejected: [{ code: "TW_DECODE_FAILED" as const, message: "invalid OTLP protobuf: truncated" }],
      },
      { accepted: 0, rejected: 0, malformed: true, errorMessage: "invalid OTLP protobuf: truncated" },
    ],
    [
      "a valid export request without spans",
      { spans: [], rejected: [{ code: "TW_NO_SPANS" as const, message: "message contains no spans" }] },
      { accepted: 0, rejected: 0 },
    ],
  ])("%s", (_what, decoded, expected) => {
    expect(summarizeDecode(decoded)).toEqual(expected);
  });
});
