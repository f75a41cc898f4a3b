/**
 * A table from strings to the first value added under each, by open addressing (linear probing),
 * meant to be emptied and reused for every batch (a message's spans, a trace's spans): a Map per
 * batch costs its allocation, its growth and its garbage, and hashing each fresh id string whole,
 * more than the lookups themselves.
 *
 * Keys are hashed by their last four characters, which is enough for the random hex of trace and
 * span ids (W3C trace context); should keys alike in those characters make a probe run past
 * {@link MAX_PROBES} slots, the table hashes whole keys from then on until its next reset.
 */
export class StringTable {
  private keys: Array<string | undefined> = new Array<string | undefined>(64).fill(undefined);
  private values = new Int32Array(64);
  private mask = 63;
  private used = 0;
  /** Whether keys are hashed whole (else by their last characters). */
  private whole = false;

  /** Empties the table, sized for `n` keys. */
  reset(n: number): void {
    // At most half full: probes stay short.
    let size = 64;
    while (size < 2 * n) size *= 2;
    if (size > this.keys.length) {
      this.keys = new Array<string | undefined>(size).fill(undefined);
      this.values = new Int32Array(size);
    } else if (this.used > 0) this.keys.fill(undefined, 0, this.mask + 1);
    this.mask = size - 1;
    this.used = 0;
    this.whole = false;
  }

  /** Adds `value` (≥ 0) under `key` unless the key is there: then returns its value, else -1. */
  add(key: string, value: number): number {
    if (2 * (this.used + 1) > this.mask + 1) this.rehash(2 * (this.mask + 1), this.whole);
    const keys = this.keys;
    const mask = this.mask;
    let at = this.hash(key) & mask;
    for (let probes = 0; ; probes++) {
      const k = keys[at];
      if (k === undefined) {
        keys[at] = key;
        this.values[at] = value;
        this.used++;
        return -1;
      }
      if (k === key) return this.values[at] as number;
      if (probes === MAX_PROBES && !this.whole) {
        this.rehash(mask + 1, true);
        return this.add(key, value);
      }
      at = (at + 1) & mask;
    }
  }

  /** The value under `key`, -1 when none. */
  find(key: string): number {
    const keys = this.keys;
    const mask = this.mask;
    let at = this.hash(key) & mask;
    for (;;) {
      const k = keys[at];
      if (k === undefined) return -1;
      if (k === key) return this.values[at] as number;
      at = (at + 1) & mask;
    }
  }

  /** Lets go of the keys (the table's arrays are kept for the next batch). */
  release(): void {
    this.keys.fill(undefined, 0, this.mask + 1);
    this.used = 0;
  }

  private hash(key: string): number {
    return this.whole ? hashWhole(key) : hashTail(key);
  }

  /** Puts the entries into a table of `size` slots, hashing whole keys when `whole`. */
  private rehash(size: number, whole: boolean): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const oldSize = this.mask + 1;
    this.keys = new Array<string | undefined>(Math.max(size, oldKeys.length)).fill(undefined);
    this.values = new Int32Array(this.keys.length);
    this.mask = size - 1;
    this.whole = whole;
    this.used = 0;
    for (let i = 0; i < oldSize; i++) {
      const k = oldKeys[i];
      if (k === undefined) continue;
      let at = this.hash(k) & this.mask;
      while (this.keys[at] !== undefined) at = (at + 1) & this.mask;
      this.keys[at] = k;
      this.values[at] = oldValues[i] as number;
      this.used++;
    }
  }
}

/** Slots a probe may run through with short hashes before whole keys are hashed. */
export const MAX_PROBES = 32;

/** The last four characters of a key, mixed; shorter keys whole. */
function hashTail(key: string): number {
  const n = key.length;
  if (n < 4) return hashWhole(key);
  const h = Math.imul(
    key.charCodeAt(n - 1) ^
      (key.charCodeAt(n - 2) << 8) ^
      (key.charCodeAt(n - 3) << 16) ^
      (key.charCodeAt(n - 4) << 24),
    0x9e3779b1,
  );
  return h ^ (h >>> 15);
}

/** FNV-1a over the key's UTF-16 code units, with a final mix so the low bits depend on all of them. */
function hashWhole(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h ^ (h >>> 16);
}
