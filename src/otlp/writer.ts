/** Strings shorter than this (characters) are written by {@link ProtoWriter} without a native call. */
const SHORT_STRING = 64;

/**
 * A growable protobuf writer. Nested messages are written in place: `begin()` reserves room for
 * the length prefix and `end()` fills it in, moving the body when the prefix is shorter.
 */
export class ProtoWriter {
  private buf: Buffer;
  private pos = 0;
  private readonly stack: number[] = [];

  constructor(initialBytes = 4096) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  uint32(value: number): this {
    this.ensure(5);
    let v = value >>> 0;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
    return this;
  }

  /** Writes a signed 64-bit varint (two's complement for negatives). */
  int64(value: bigint): this {
    this.ensure(10);
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
    return this;
  }

  fixed64(value: bigint): this {
    this.ensure(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, value), this.pos);
    this.pos += 8;
    return this;
  }

  double(value: number): this {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
    return this;
  }

  string(value: string): this {
    if (value.length < SHORT_STRING && this.ascii(value)) return this;
    const len = Buffer.byteLength(value, "utf8");
    this.uint32(len);
    this.ensure(len);
    this.pos += this.buf.write(value, this.pos, "utf8");
    return this;
  }

  /**
   * Writes a short all-ASCII string byte by byte (native string writes cost more than the copy
   * for names and attribute keys); false, having written nothing, when a character is not ASCII.
   */
  private ascii(value: string): boolean {
    const n = value.length;
    for (let i = 0; i < n; i++) if (value.charCodeAt(i) >= 0x80) return false;
    this.uint32(n);
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buf[pos++] = value.charCodeAt(i);
    this.pos = pos;
    return true;
  }

  /** Writes length-prefixed bytes given as hex. */
  hex(value: string): this {
    const len = value.length >>> 1;
    this.uint32(len);
    this.ensure(len);
    this.pos += this.buf.write(value, this.pos, "hex");
    return this;
  }

  /** Starts a length-delimited nested message; close it with {@link end}. */
  begin(): this {
    this.ensure(5);
    this.stack.push(this.pos);
    this.pos += 5;
    return this;
  }

  end(): this {
    const at = this.stack.pop();
    if (at === undefined) throw new Error("ProtoWriter.end() without begin()");
    const bodyStart = at + 5;
    const len = this.pos - bodyStart;
    let prefix = 1;
    for (let v = len >>> 7; v > 0; v >>>= 7) prefix++;
    let p = at;
    let v = len;
    while (v >= 0x80) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[p++] = v;
    if (prefix < 5) {
      // TypedArray copyWithin: a builtin, far cheaper than Buffer#copy for the many small bodies.
      this.buf.copyWithin(at + prefix, bodyStart, this.pos);
      this.pos -= 5 - prefix;
    }
    return this;
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    return new Uint8Array(this.buf.subarray(0, this.pos));
  }
}
