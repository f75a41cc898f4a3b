import { describe, expect, it } from "vitest";
import { spanDurationMs, type Span } from "../../../src/domain/span.js";

/** The definition: the BigInt difference, rounded once. */
const reference = (span: Span): number => Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6;

const timed = (start: bigint, end: bigint): Span => ({
  traceId: "0af7651916cd43dd8448eb211c80319c",
  spanId: "00f067aa0ba902b7",
  parentSpanId: null,
  service: "frontend",
  name: "GET /cart",
  kind: "SERVER",
  startTimeUnixNano: start,
  endTimeUnixNano: end,
  status: "UNSET",
  attributes: {},
});

describe("spanDurationMs", () => {
  const now = 1_700_000_000_123_456_789n;
  const top = 2n ** 64n - 1n;
  it.each([
    ["a 12.345678 ms span", now, now + 12_345_678n],
    ["a span of 0 ns", now, now],
    ["a span ending before it starts", now, now - 1_500_000n],
    ["a span across a 32-bit boundary of its times", 2n ** 32n - 1n, 2n ** 32n + 1n],
    ["a duration of 2^53 + 1 ns (rounded as Number rounds it)", 5n, 5n + 2n ** 53n + 1n],
    ["a duration of 2^53 + 3 ns", 0n, 2n ** 53n + 3n],
    ["the widest times in range", 0n, top],
    ["the widest times in range, reversed", top, 0n],
    ["a start past 2^64 (subtracted as BigInts)", 2n ** 64n, 2n ** 64n + 7_000_000n],
    ["a negative start", -5_000_000n, 5_000_000n],
    ["an end past 2^64", top, top + 3n],
  ])("is the BigInt difference rounded once for %s", (_what, start, end) => {
    const span = timed(start, end);
    expect(Object.is(spanDurationMs(span), reference(span))).toBe(true);
  });

  it("is the BigInt difference rounded once for random times in 0 .. 2^64", () => {
    let seed = 11n;
    const next = (): bigint => {
      seed = (seed * 6_364_136_223_846_793_005n + 1_442_695_040_888_963_407n) % 2n ** 64n;
      return seed;
    };
    for (let i = 0; i < 5_000; i++) {
      const start = next();
      // Near each other (the usual span), or anywhere in range.
      const end = i % 2 === 0 ? (start + (next() >> BigInt(8 + (i % 50)))) % 2n ** 64n : next();
      const span = timed(start, end);
      expect(spanDurationMs(span)).toBe(reference(span));
    }
  });
});
