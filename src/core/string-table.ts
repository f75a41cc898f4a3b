/**
 * A table from strings to the first value added under each, by open addressing (linear probing),
 * meant to be emptied and reused for every batch (a message's spans, a trace's spans): a Map per
 * batch costs its allocation, its growth and its garbage, and hashing each fresh id string whole,
 * more than the lookups themselves. Emptying is a counter step: a slot holds an entry only when
 * stamped with the current batch.
 *
 * Keys are hashed by their last four characters, which is enough for the random hex of trace and
 * span ids (W3C trace context); should keys alike in those characters make a probe run past
 * {@link MAX_PROBES} slots, the table hashes whole keys from then on until its next reset.
 */
export class StringTable {
  private keys: Array<string | undefined> = new Array<string | undefined>(64).fill(undefined);
  private values = new Int32Array(64);
  /** Batch that last wrote each slot: the slot is empty unless it is the current one. */
  private stamps = new Int32Array(64);
  private batch = 1;
  private mask = 63;
  private used = 0;
  /** Whether keys are hashed whole (else by their last characters). */
  private whole = false;

  /** Empties the table, sized for `n` keys. */
  reset(n: number): void {
    // At most half full: probes stay short.
    let size = 64;
    while (size < 2 * n) size *= 2;
    if (size > this.keys.length) this.allocate(size);
    else if (this.batch === MAX_BATCH) {
      this.stamps.fill(0);
      this.batch = 1;
    } else this.batch++;
    this.mask = size - 1;
    this.used = 0;
    this.whole = false;
  }

  /** Adds `value` (≥ 0) under `key` unless the key is there: then returns its value, else -1. */
  add(key: string, value: number): number {
    if (2 * (this.used + 1) > this.mask + 1) this.rehash(2 * (this.mask + 1), this.whole);
    const { keys, stamps, batch } = this;
    const mask = this.mask;
    let at = this.hash(key) & mask;
    for (let probes = 0; ; probes++) {
      if (stamps[at] !== batch) {
        stamps[at] = batch;
        keys[at] = key;
        this.values[at] = value;
        this.used++;
        return -1;
      }
      if (keys[at] === key) return this.values[at] as number;
      if (probes === MAX_PROBES && !this.whole) {
        this.rehash(mask + 1, true);
        return this.add(key, value);
      }
      at = (at + 1) & mask;
    }
  }

  /** The value under `key`, -1 when none. */
  find(key: string): number {
    const { keys, stamps, batch } = this;
    const mask = this.mask;
    let at = this.hash(key) & mask;
    for (;;) {
      if (stamps[at] !== batch) return -1;
      if (keys[at] === key) return this.values[at] as number;
      at = (at + 1) & mask;
    }
  }

  /**
   * Empties the table and, when it is large, lets go of its keys (a small one keeps at most a few
   * thousand id strings until they are written over).
   */
  release(): void {
    if (this.keys.length > RELEASE_SLOTS) this.allocate(64);
    else this.reset(0);
  }

  private hash(key: string): number {
    return this.whole ? hashWhole(key) : hashTail(key);
  }

  private allocate(size: number): void {
    this.keys = new Array<string | undefined>(size).fill(undefined);
    this.values = new Int32Array(size);
    this.stamps = new Int32Array(size);
    this.batch = 1;
    this.mask = size - 1;
    this.used = 0;
  }

  /** Puts the entries into a table of `size` slots, hashing whole keys when `whole`. */
  private rehash(size: number, whole: boolean): void {
    const { keys, values, stamps, batch } = this;
    const oldSize = this.mask + 1;
    this.allocate(Math.max(size, keys.length));
    this.mask = size - 1;
    this.whole = whole;
    for (let i = 0; i < oldSize; i++) {
      if (stamps[i] !== batch) continue;
      const k = keys[i] as string;
      let at = this.hash(k) & this.mask;
      while (this.stamps[at] === this.batch) at = (at + 1) & this.mask;
      this.stamps[at] = this.batch;
      this.keys[at] = k;
      this.values[at] = values[i] as number;
      this.used++;
    }
  }
}

/** Slots a probe may run through with short hashes before whole keys are hashed. */
export const MAX_PROBES = 32;

/** Tables past this many slots drop their arrays on release. */
const RELEASE_SLOTS = 4_096;

/** The batch counter starts over (stamps cleared) before it overflows. */
const MAX_BATCH = 0x7fffffff;

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
