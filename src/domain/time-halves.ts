/**
 * Span times (unsigned 64-bit Unix ns) read as two 32-bit numbers each, so that differences of
 * times can be taken with number arithmetic instead of a BigInt per subtraction: write up to two
 * times into {@link TIME_WORDS}, read their halves from {@link TIME_HALVES} at `LO`/`HI` (first
 * time) and `LO + 2`/`HI + 2` (second). Shared scratch: read the halves before the next write.
 */
export const TIME_WORDS = new BigUint64Array(2);
/** The 32-bit halves of {@link TIME_WORDS}: word `LO` (`HI`) of each is its low (high) half. */
export const TIME_HALVES = new Uint32Array(TIME_WORDS.buffer);
/** Where the low half of a 64-bit word is, by the platform's byte order (typed arrays use it). */
export const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
export const HI = 1 - LO;
export const TWO_POW_32 = 2 ** 32;

/** Whether `t` is in 0 .. 2^64 (unchanged by wrapping to 64 bits: cheaper than two comparisons). */
export function fitsU64(t: bigint): boolean {
  return BigInt.asUintN(64, t) === t;
}
