/**
 * Lowercase hex of 8 or 16 bytes built with one `String.fromCharCode` call: a flat string,
 * about three times faster than `Buffer#toString("hex")` for ids this short.
 */
const HEX_CODES: number[] = [];
for (let i = 0; i < 256; i++) {
  const h = i.toString(16).padStart(2, "0");
  HEX_CODES.push(h.charCodeAt(0), h.charCodeAt(1));
}
const H = HEX_CODES;

/** Hex of the 8 bytes at `at` (caller checks bounds). */
export function hex8(buf: Uint8Array, at: number): string {
  const a = buf[at]! * 2;
  const b = buf[at + 1]! * 2;
  const c = buf[at + 2]! * 2;
  const d = buf[at + 3]! * 2;
  const e = buf[at + 4]! * 2;
  const f = buf[at + 5]! * 2;
  const g = buf[at + 6]! * 2;
  const h = buf[at + 7]! * 2;
  // prettier-ignore
  return String.fromCharCode(H[a]!, H[a + 1]!, H[b]!, H[b + 1]!, H[c]!, H[c + 1]!, H[d]!, H[d + 1]!,
    H[e]!, H[e + 1]!, H[f]!, H[f + 1]!, H[g]!, H[g + 1]!, H[h]!, H[h + 1]!);
}

/** Hex of the 16 bytes at `at` (caller checks bounds). */
export function hex16(buf: Uint8Array, at: number): string {
  const a = buf[at]! * 2;
  const b = buf[at + 1]! * 2;
  const c = buf[at + 2]! * 2;
  const d = buf[at + 3]! * 2;
  const e = buf[at + 4]! * 2;
  const f = buf[at + 5]! * 2;
  const g = buf[at + 6]! * 2;
  const h = buf[at + 7]! * 2;
  const i = buf[at + 8]! * 2;
  const j = buf[at + 9]! * 2;
  const k = buf[at + 10]! * 2;
  const l = buf[at + 11]! * 2;
  const m = buf[at + 12]! * 2;
  const n = buf[at + 13]! * 2;
  const o = buf[at + 14]! * 2;
  const p = buf[at + 15]! * 2;
  // prettier-ignore
  return String.fromCharCode(H[a]!, H[a + 1]!, H[b]!, H[b + 1]!, H[c]!, H[c + 1]!, H[d]!, H[d + 1]!,
    H[e]!, H[e + 1]!, H[f]!, H[f + 1]!, H[g]!, H[g + 1]!, H[h]!, H[h + 1]!,
    H[i]!, H[i + 1]!, H[j]!, H[j + 1]!, H[k]!, H[k + 1]!, H[l]!, H[l + 1]!,
    H[m]!, H[m + 1]!, H[n]!, H[n + 1]!, H[o]!, H[o + 1]!, H[p]!, H[p + 1]!);
}
