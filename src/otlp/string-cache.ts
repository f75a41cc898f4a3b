import type { Interner } from "../decode/intern.js";

const SLOTS = 4096;
const MAX_CACHED = 64;

/**
 * Turns short, repeated UTF-8 fields (operation names, attribute keys) into interned strings
 * without allocating: a hash of the bytes picks a slot, and an ASCII string already in the slot
 * is reused when its characters equal the bytes. Misses decode and go through the interner.
 */
export class StringCache {
  private readonly slots: Array<string | undefined> = new Array<string | undefined>(SLOTS);

  constructor(private readonly interner: Interner) {}

  get(buf: Buffer, start: number, end: number): string {
    const len = end - start;
    if (len === 0) return "";
    if (len > MAX_CACHED) return this.interner.intern(buf.toString("utf8", start, end));
    let hash = 0x811c9dc5 ^ len;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
    const slot = (hash >>> 0) & (SLOTS - 1);
    const cached = this.slots[slot];
    if (cached !== undefined && cached.length === len) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (cached.charCodeAt(i) !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    const value = this.interner.intern(buf.toString("utf8", start, end));
    // Only ASCII strings compare equal char-for-byte; others are interned but not cached here.
    if (value.length === len) this.slots[slot] = value;
    return value;
  }
}
