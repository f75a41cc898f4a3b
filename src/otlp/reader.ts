/**
 * A cursor over protobuf wire format. It reads only what the OTLP decoder needs and throws
 * {@link WireError} on malformed input (truncation, bad wire types, overlong varints); the decoder
 * turns that into a rejection of the whole message.
 */
export class WireError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
    this.name = "WireError";
  }
}

const TWO_POW_32 = 4294967296;

export class ProtoReader {
  pos = 0;
  readonly buf: Buffer;
  private readonly view: DataView;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Reads a varint that fits in 32 bits unsigned (tags, lengths, enums, small counts). */
  uint32(): number {
    const buf = this.buf;
    let b = buf[this.pos++] ?? this.truncated();
    if (b < 0x80) return b;
    let value = b & 0x7f;
    for (let shift = 7; shift < 35; shift += 7) {
      b = buf[this.pos++] ?? this.truncated();
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value > 0xffffffff ? value % TWO_POW_32 : value;
    }
    // Varints of 64-bit fields used where 32 bits are expected: keep the low 32 bits.
    for (let i = 0; i < 5; i++) {
      b = buf[this.pos++] ?? this.truncated();
      if (b < 0x80) return value % TWO_POW_32;
    }
    throw new WireError("varint longer than 10 bytes", this.pos);
  }

  /** Reads an int64 varint as a number when exact, else as a decimal string. */
  int64(): number | string {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let b = 0x80;
    let i = 0;
    for (; i < 4 && b >= 0x80; i++) {
      b = buf[this.pos++] ?? this.truncated();
      lo = (lo | ((b & 0x7f) << (i * 7))) >>> 0;
    }
    if (b >= 0x80) {
      b = buf[this.pos++] ?? this.truncated();
      lo = (lo | ((b & 0x0f) << 28)) >>> 0;
      hi = (b & 0x7f) >> 4;
      for (i = 0; i < 5 && b >= 0x80; i++) {
        b = buf[this.pos++] ?? this.truncated();
        hi = (hi | ((b & 0x7f) << (i * 7 + 3))) >>> 0;
      }
      if (b >= 0x80) throw new WireError("varint longer than 10 bytes", this.pos);
    }
    if (hi < 0x200000) return hi * TWO_POW_32 + lo;
    const big = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
    const n = Number(big);
    return Number.isSafeInteger(n) ? n : big.toString();
  }

  /** Reads a length prefix and returns the end offset of the field, checked against `limit`. */
  lengthEnd(limit: number): number {
    const len = this.uint32();
    const end = this.pos + len;
    if (end > limit) throw new WireError("length-delimited field runs past its message", this.pos);
    return end;
  }

  fixed64(limit: number): bigint {
    if (this.pos + 8 > limit) this.truncated();
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  double(limit: number): number {
    if (this.pos + 8 > limit) this.truncated();
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** UTF-8 text of the length-delimited field at the cursor. */
  string(limit: number): string {
    const end = this.lengthEnd(limit);
    const s = end - this.pos === 0 ? "" : this.buf.toString("utf8", this.pos, end);
    this.pos = end;
    return s;
  }

  /** Skips one field of the given wire type. */
  skip(wireType: number, limit: number): void {
    switch (wireType) {
      case 0:
        this.int64();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos = this.lengthEnd(limit);
        return;
      case 5:
        this.pos += 4;
        break;
      case 3:
        this.skipGroup(limit);
        return;
      default:
        throw new WireError(`unsupported wire type ${wireType}`, this.pos);
    }
    if (this.pos > limit) this.truncated();
  }

  /**
   * Skips the rest of a group (deprecated, but valid as an unknown field) whose start tag was just
   * read: fields up to its end-group tag, nested groups included, without recursion. Like
   * protobufjs, end-group tags are matched by nesting, not by field number.
   */
  private skipGroup(limit: number): void {
    let depth = 1;
    while (depth > 0) {
      if (this.pos >= limit) this.truncated();
      const wireType = this.uint32() & 7;
      if (wireType === 3) depth++;
      else if (wireType === 4) depth--;
      else this.skip(wireType, limit);
    }
  }

  truncated(): never {
    throw new WireError("message is truncated", this.pos);
  }
}
