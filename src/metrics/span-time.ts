import { spanDurationMs, type Span } from "../domain/span.js";

/** A span's two times (Unix ns below 2^64), written here to be read back as 32-bit halves. */
const TIME_WORDS = new BigUint64Array(2);
/** The 32-bit halves of {@link TIME_WORDS}: word `LO` (`HI`) of each is its low (high) half. */
const TIME_HALVES = new Uint32Array(TIME_WORDS.buffer);
/** Where the low half of a 64-bit word is, by the platform's byte order (typed arrays use it). */
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;
const TWO_POW_32 = 2 ** 32;

/**
 * {@link spanDurationMs} without a BigInt made per span: for times in 0 .. 2^64, end − start is
 * taken on the times' 32-bit halves as numbers, (endHi − startHi)·2^32 and endLo − startLo, both
 * exact, so their one rounded sum is the difference rounded as `Number(end - start)` rounds it.
 * Times outside that range (made by hand or read from JSON) are subtracted as BigInts. (The range
 * test by `asUintN` costs less than comparisons with the range's bounds.)
 */
export function durationMs(span: Span): number {
  const start = span.startTimeUnixNano;
  const end = span.endTimeUnixNano;
  if (BigInt.asUintN(64, start) !== start || BigInt.asUintN(64, end) !== end) return spanDurationMs(span);
  TIME_WORDS[0] = start;
  TIME_WORDS[1] = end;
  const ns =
    ((TIME_HALVES[HI + 2] as number) - (TIME_HALVES[HI] as number)) * TWO_POW_32 +
    ((TIME_HALVES[LO + 2] as number) - (TIME_HALVES[LO] as number));
  return ns / 1e6;
}
