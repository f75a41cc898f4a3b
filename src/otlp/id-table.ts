import { hex16, hex8 } from "./hex.js";

/**
 * The hex strings of one message's trace ids (16 bytes) or span ids (8 bytes), found by their
 * bytes: an id seen before in the message gets the string made the first time, without another
 * hex conversion, and every span of a trace in the message shares one id string. Open addressing
 * (linear probing), emptied for each message by a batch counter; reused across messages (decoding
 * is synchronous).
 *
 * Ids are hashed by their last four bytes, random in trace context ids; should ids alike there
 * make a probe run past {@link MAX_PROBES} slots, whole ids are hashed until the next reset.
 */
export class IdTable {
  /** Entry index + 1 per slot. */
  private slots = new Int32Array(64);
  /** Batch that last wrote each slot: the slot is empty unless it is the current one. */
  private stamps = new Int32Array(64);
  /** The last four bytes of each slot's id, compared before the whole id. */
  private tails = new Int32Array(64);
  /** Each slot's id as 32-bit words but the last (`words` per slot): no need to read it back from the message. */
  private heads: Int32Array;
  private readonly words: number;
  private batch = 1;
  private mask = 63;
  private whole = false;
  /** Per entry: where its bytes are in `buf`, and its string. */
  private offsets = new Int32Array(32);
  private ids: string[] = [];
  private count = 0;
  private buf: Uint8Array = EMPTY;
  private view: DataView = EMPTY_VIEW;

  /** @param width id length in bytes: 16 (trace ids) or 8 (span ids). */
  constructor(private readonly width: 8 | 16) {
    this.words = width / 4 - 1;
    this.heads = new Int32Array(64 * this.words);
  }

  /** Empties the table for the ids of the message in `buf`. */
  reset(buf: Uint8Array): void {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.count = 0;
    if (this.ids.length > MAX_KEPT_SLOTS) this.ids = [];
    this.whole = false;
    if (this.slots.length > MAX_KEPT_SLOTS) this.allocate(64);
    else if (this.batch === MAX_BATCH) {
      this.stamps.fill(0);
      this.batch = 1;
    } else this.batch++;
    // The size the last messages needed: messages are alike, and a sparser table probes less.
    this.mask = this.slots.length - 1;
  }

  /** Lets go of the message's bytes (the table's arrays are kept for the next message). */
  release(): void {
    this.buf = EMPTY;
    this.view = EMPTY_VIEW;
  }

  /** The id string of the `width` bytes at `at`: the first one made for these bytes in the message. */
  idAt(at: number): string {
    const e = this.find(at);
    if (e >= 0) return this.ids[e] as string;
    const id = this.width === 16 ? hex16(this.buf, at) : hex8(this.buf, at);
    this.insert(at, id);
    return id;
  }

  /** The entry of the id at `at`, -1 when the message had none such yet. */
  private find(at: number): number {
    const { slots, stamps, tails, batch, mask } = this;
    const tail = this.tail(at);
    let s = (this.whole ? this.wholeHash(at) : mix(tail)) & mask;
    for (;;) {
      if (stamps[s] !== batch) return -1;
      if (tails[s] === tail && this.sameHead(s, at)) return (slots[s] as number) - 1;
      s = (s + 1) & mask;
    }
  }

  private insert(at: number, id: string): void {
    if (2 * (this.count + 1) > this.mask + 1) this.rehash(2 * (this.mask + 1), this.whole);
    const e = this.count++;
    if (e >= this.offsets.length) {
      const bigger = new Int32Array(2 * this.offsets.length);
      bigger.set(this.offsets);
      this.offsets = bigger;
    }
    this.offsets[e] = at;
    this.ids[e] = id;
    if (!this.place(e) && !this.whole) this.rehash(this.mask + 1, true);
  }

  /** Puts entry `e` in a free slot; false when it took more than MAX_PROBES with short hashes. */
  private place(e: number): boolean {
    const { slots, stamps, tails, batch, mask } = this;
    const at = this.offsets[e] as number;
    const tail = this.tail(at);
    let s = (this.whole ? this.wholeHash(at) : mix(tail)) & mask;
    let probes = 0;
    while (stamps[s] === batch) {
      s = (s + 1) & mask;
      probes++;
    }
    stamps[s] = batch;
    slots[s] = e + 1;
    tails[s] = tail;
    for (let w = 0; w < this.words; w++) this.heads[s * this.words + w] = this.word(at + 4 * w);
    return probes <= MAX_PROBES;
  }

  private rehash(size: number, whole: boolean): void {
    if (size > this.slots.length) this.allocate(size);
    else if (this.batch === MAX_BATCH) {
      this.stamps.fill(0);
      this.batch = 1;
    } else this.batch++;
    this.mask = size - 1;
    this.whole = whole;
    for (let e = 0; e < this.count; e++) this.place(e);
  }

  private allocate(size: number): void {
    this.slots = new Int32Array(size);
    this.stamps = new Int32Array(size);
    this.tails = new Int32Array(size);
    this.heads = new Int32Array(size * this.words);
    this.batch = 1;
    this.mask = size - 1;
  }

  /** Whether slot `s` holds the id at `at`, its last four bytes known to be equal. */
  private sameHead(s: number, at: number): boolean {
    const heads = this.heads;
    const base = s * this.words;
    for (let w = 0; w < this.words; w++) if (heads[base + w] !== this.word(at + 4 * w)) return false;
    return true;
  }

  /** The little-endian 32-bit word at `at`. */
  private word(at: number): number {
    return this.view.getInt32(at, true);
  }

  private tail(at: number): number {
    return this.word(at + this.width - 4);
  }

  /** FNV-1a over the whole id, with a final mix so the low bits depend on all of it. */
  private wholeHash(at: number): number {
    const buf = this.buf;
    const end = at + this.width;
    let h = 0x811c9dc5;
    for (let i = at; i < end; i++) h = Math.imul(h ^ (buf[i] as number), 0x01000193);
    return h ^ (h >>> 16);
  }
}

function mix(tail: number): number {
  const h = Math.imul(tail, 0x9e3779b1);
  return h ^ (h >>> 15);
}

const EMPTY: Uint8Array = Buffer.alloc(0);
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

/** Slots a probe may run through with short hashes before whole ids are hashed. */
export const MAX_PROBES = 32;
/** Tables grown past this many slots (a very large message) are dropped at the next reset. */
const MAX_KEPT_SLOTS = 8_192;
/** The batch counter starts over (stamps cleared) before it overflows. */
const MAX_BATCH = 0x7fffffff;
