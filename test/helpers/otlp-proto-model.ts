/**
 * A plain model of an OTLP `ExportTraceServiceRequest` for tests, and an encoder that writes it
 * either canonically (fields in field-number order, each once) or scrambled the ways the protobuf
 * wire format allows: fields in any order, a non-repeated scalar field repeated (the last value
 * wins), a non-repeated message field split into several occurrences (they merge), and unknown
 * fields of every wire type inserted. Every scrambled encoding means exactly the same message.
 */

/** A string field: text, or raw bytes written as they are (possibly invalid UTF-8). */
export type Str = string | Uint8Array;

export type AnyValueM =
  | { readonly kind: "none" }
  | { readonly kind: "string"; readonly v: Str }
  | { readonly kind: "bool"; readonly v: boolean }
  | { readonly kind: "int"; readonly v: bigint }
  | { readonly kind: "double"; readonly v: number }
  | { readonly kind: "array"; readonly v: readonly AnyValueM[] }
  | { readonly kind: "kvlist"; readonly v: readonly KeyValueM[] }
  | { readonly kind: "bytes"; readonly v: Uint8Array };

export interface KeyValueM {
  readonly key?: Str;
  readonly value?: AnyValueM;
}
export interface StatusM {
  readonly message?: Str;
  readonly code?: number;
}
export interface EventM {
  readonly time?: bigint;
  readonly name?: Str;
  readonly attributes: readonly KeyValueM[];
}
export interface LinkM {
  readonly trace_id?: Uint8Array;
  readonly span_id?: Uint8Array;
  readonly attributes: readonly KeyValueM[];
  readonly flags?: number;
}
export interface SpanM {
  readonly trace_id?: Uint8Array;
  readonly span_id?: Uint8Array;
  readonly trace_state?: Str;
  readonly parent_span_id?: Uint8Array;
  readonly name?: Str;
  readonly kind?: number;
  readonly start?: bigint;
  readonly end?: bigint;
  readonly attributes: readonly KeyValueM[];
  readonly dropped_attributes_count?: number;
  readonly events: readonly EventM[];
  readonly links: readonly LinkM[];
  readonly status?: StatusM;
  readonly flags?: number;
}
export interface ScopeM {
  readonly name?: Str;
  readonly version?: Str;
  readonly attributes: readonly KeyValueM[];
}
export interface ScopeSpansM {
  readonly scope?: ScopeM;
  readonly spans: readonly SpanM[];
  readonly schema_url?: Str;
}
export interface ResourceM {
  readonly attributes: readonly KeyValueM[];
  readonly dropped_attributes_count?: number;
}
export interface ResourceSpansM {
  readonly resource?: ResourceM;
  readonly scope_spans: readonly ScopeSpansM[];
  readonly schema_url?: Str;
}
export interface RequestM {
  readonly resource_spans: readonly ResourceSpansM[];
}

/** How to write a message: which of the wire format's freedoms to use. */
export interface ScrambleOptions {
  /** Random source in [0, 1). */
  readonly random: () => number;
  /** Interleave fields out of field-number order and insert unknown fields (groups too). */
  readonly shuffle: boolean;
  /** Repeat non-repeated scalar fields with earlier values that the last one overrides. */
  readonly repeatScalars: boolean;
  /**
   * Split non-repeated message fields into occurrences that merge, and put other members of a
   * oneof before the one that counts. protobufjs replaces instead of merging, and its oneof
   * getter does not take the last member, so it reads such bytes differently from the spec.
   */
  readonly mergeMessages: boolean;
}

export const CANONICAL: ScrambleOptions = {
  random: () => 0,
  shuffle: false,
  repeatScalars: false,
  mergeMessages: false,
};

const WT_VARINT = 0;
const WT_FIXED64 = 1;
const WT_LEN = 2;
const WT_START_GROUP = 3;
const WT_END_GROUP = 4;
const WT_FIXED32 = 5;

function varint(value: bigint | number, out: number[]): void {
  if (typeof value === "number" && value >= 0 && value <= Number.MAX_SAFE_INTEGER) {
    let v = value;
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    return;
  }
  // Two's complement in 64 bits, as two 32-bit halves (BigInt arithmetic per byte is slow).
  const x = BigInt.asUintN(64, BigInt(value));
  let lo = Number(x & 0xffffffffn);
  let hi = Number(x >> 32n);
  while (hi > 0 || lo >= 0x80) {
    out.push((lo & 0x7f) | 0x80);
    lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
    hi >>>= 7;
  }
  out.push(lo);
}

/**
 * An encoded field: its bytes, or a length-delimited field whose body is a list of parts, so that
 * nesting costs no copies; {@link toBuffer} writes the tree once.
 */
type Bytes = number[] | Uint8Array | LenField;
interface LenField {
  readonly head: number[];
  readonly body: readonly Bytes[];
  bodySize?: number;
}

function tagBytes(no: number, wt: number): number[] {
  const out: number[] = [];
  varint(no * 8 + wt, out);
  return out;
}

const isLen = (b: Bytes): b is LenField => !Array.isArray(b) && !(b instanceof Uint8Array);

function varintSize(n: number): number {
  let size = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 0x80)) size++;
  return size;
}

function bodySize(f: LenField): number {
  if (f.bodySize === undefined) {
    let size = 0;
    for (const part of f.body) size += sizeOf(part);
    f.bodySize = size;
  }
  return f.bodySize;
}

function sizeOf(b: Bytes): number {
  if (!isLen(b)) return b.length;
  const body = bodySize(b);
  return b.head.length + varintSize(body) + body;
}

function writeTo(b: Bytes, out: Uint8Array, at: number): number {
  let pos = at;
  if (b instanceof Uint8Array) {
    out.set(b, pos);
    return pos + b.length;
  }
  if (Array.isArray(b)) {
    for (let i = 0; i < b.length; i++) out[pos++] = b[i]!;
    return pos;
  }
  for (const x of b.head) out[pos++] = x;
  for (let v = bodySize(b); ; v = Math.floor(v / 0x80)) {
    if (v < 0x80) {
      out[pos++] = v;
      break;
    }
    out[pos++] = (v % 0x80) | 0x80;
  }
  for (const part of b.body) pos = writeTo(part, out, pos);
  return pos;
}

/** The parts written out as one field's bytes. */
const toBytes = (parts: readonly Bytes[]): Uint8Array => toBuffer(parts);

function toBuffer(parts: readonly Bytes[]): Buffer {
  let size = 0;
  for (const part of parts) size += sizeOf(part);
  const out = Buffer.alloc(size);
  let pos = 0;
  for (const part of parts) pos = writeTo(part, out, pos);
  return out;
}

function lenField(no: number, body: readonly Bytes[] | Uint8Array): Bytes {
  return { head: tagBytes(no, WT_LEN), body: body instanceof Uint8Array ? [body] : body };
}

function varintField(no: number, value: bigint | number): Bytes {
  const out = tagBytes(no, WT_VARINT);
  varint(value, out);
  return out;
}

function fixed64Field(no: number, value: bigint): Bytes {
  const out = tagBytes(no, WT_FIXED64);
  const x = BigInt.asUintN(64, value);
  const lo = Number(x & 0xffffffffn);
  const hi = Number(x >> 32n);
  out.push(lo & 0xff, (lo >>> 8) & 0xff, (lo >>> 16) & 0xff, lo >>> 24);
  out.push(hi & 0xff, (hi >>> 8) & 0xff, (hi >>> 16) & 0xff, hi >>> 24);
  return out;
}

const DOUBLE = new Float64Array(1);
const DOUBLE_BYTES = new Uint8Array(DOUBLE.buffer);

function doubleField(no: number, value: number): Bytes {
  const out = tagBytes(no, WT_FIXED64);
  DOUBLE[0] = value;
  for (const b of DOUBLE_BYTES) out.push(b);
  return out;
}

function fixed32Field(no: number, value: number): Bytes {
  const v = value >>> 0;
  return [...tagBytes(no, WT_FIXED32), v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
}

const strBytes = (s: Str): Uint8Array => (typeof s === "string" ? Buffer.from(s, "utf8") : s);

/** Field numbers tried for unknown fields (those a message type defines are left out). */
const UNKNOWN_NUMBERS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 17, 19, 100, 1000, 19999, 536870911];

/** One message being written: its fields, grouped so that order matters only within a group. */
class MessageWriter {
  private readonly groups: Bytes[][] = [];

  constructor(
    private readonly o: ScrambleOptions,
    private readonly known: readonly number[],
  ) {}

  private chance(p: number): boolean {
    return this.o.random() < p;
  }

  private pick(n: number): number {
    return Math.floor(this.o.random() * n);
  }

  /** A group of fields whose relative order is kept (occurrences of one field, one oneof). */
  group(fields: Bytes[]): void {
    if (fields.length > 0) this.groups.push(fields);
  }

  /** A non-repeated scalar field; with `repeatScalars`, earlier values of `decoy()` precede it. */
  scalar(field: Bytes | undefined, decoy: () => Bytes): void {
    if (field === undefined) return;
    const fields: Bytes[] = [];
    if (this.o.repeatScalars) while (this.chance(0.15)) fields.push(decoy());
    fields.push(field);
    this.group(fields);
  }

  /** A non-repeated message field; with `mergeMessages`, split into occurrences that merge. */
  message(no: number, body: readonly Bytes[] | undefined): void {
    if (body === undefined) return;
    this.group(this.split(no, body));
  }

  /** The occurrences of a message field whose merge is `body`. */
  split(no: number, body: readonly Bytes[]): Bytes[] {
    if (!this.o.mergeMessages || !this.chance(0.3)) return [lenField(no, body)];
    const cuts = new Set<number>();
    const pieces = 1 + this.pick(3);
    for (let i = 0; i < pieces; i++) cuts.add(this.pick(body.length + 1));
    const sorted = [0, ...[...cuts].sort((a, b) => a - b), body.length];
    const out: Bytes[] = [];
    for (let i = 0; i + 1 < sorted.length; i++) {
      out.push(lenField(no, body.slice(sorted[i], sorted[i + 1])));
    }
    return out;
  }

  /** Repeated fields: each occurrence is one element, in order. */
  repeated(no: number, bodies: readonly Bytes[][]): void {
    this.group(bodies.map((b) => lenField(no, b)));
  }

  /** The fields as written: canonical, or interleaved with unknown fields among them. */
  finish(): Bytes[] {
    if (!this.o.shuffle) {
      const out: Bytes[] = [];
      for (const g of this.groups) for (const f of g) out.push(f);
      return out;
    }
    // A random interleaving of the groups: each keeps its own order.
    const open = this.groups.map((g) => ({ fields: g, next: 0 }));
    while (this.chance(0.3)) open.push({ fields: [this.unknownField()], next: 0 });
    const out: Bytes[] = [];
    while (open.length > 0) {
      const i = this.pick(open.length);
      const q = open[i]!;
      out.push(q.fields[q.next++]!);
      if (q.next === q.fields.length) {
        open[i] = open[open.length - 1]!;
        open.pop();
      }
    }
    return out;
  }

  private unknownField(): Bytes {
    const numbers = UNKNOWN_NUMBERS.filter((n) => !this.known.includes(n));
    const no = numbers[this.pick(numbers.length)]!;
    return this.unknownOfType(no, this.pick(5), 0);
  }

  /** An unknown field of wire type varint, fixed64, length-delimited, fixed32 or group (0..4). */
  private unknownOfType(no: number, type: number, depth: number): Bytes {
    switch (type) {
      case 0:
        return varintField(no, randomUint64(this.o.random));
      case 1:
        return fixed64Field(no, randomUint64(this.o.random));
      case 2:
        return lenField(no, randomBytes(this.o.random, this.pick(12)));
      case 3:
        return fixed32Field(no, Math.floor(this.o.random() * 2 ** 32));
      default: {
        // A group (deprecated, still valid): start tag, fields, maybe a nested group, end tag.
        const body: Bytes[] = [tagBytes(no, WT_START_GROUP)];
        const fields = this.pick(3);
        for (let i = 0; i < fields; i++)
          body.push(this.unknownOfType(1 + this.pick(20), this.pick(depth < 2 ? 5 : 4), depth + 1));
        body.push(tagBytes(no, WT_END_GROUP));
        return toBytes(body);
      }
    }
  }
}

export function randomUint64(random: () => number): bigint {
  const hi = BigInt(Math.floor(random() * 2 ** 32));
  const lo = BigInt(Math.floor(random() * 2 ** 32));
  // Small values too, so short varints are as common as long ones.
  return random() < 0.5 ? lo >> BigInt(Math.floor(random() * 32)) : (hi << 32n) | lo;
}

export function randomBytes(random: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256);
  return b;
}

const str = (no: number, s: Str | undefined) => (s === undefined ? undefined : lenField(no, strBytes(s)));
const bytes = (no: number, b: Uint8Array | undefined) => (b === undefined ? undefined : lenField(no, b));

/** Scalar decoys of each wire type. */
function decoys(o: ScrambleOptions) {
  return {
    len: (no: number) => () => lenField(no, randomBytes(o.random, Math.floor(o.random() * 20))),
    /** int32, enum and uint32 fields: a value of 32 bits (negative ones take 10 bytes). */
    varint: (no: number) => () => varintField(no, Math.floor(o.random() * 2 ** 32) - 2 ** 31),
    fixed64: (no: number) => () => fixed64Field(no, randomUint64(o.random)),
    fixed32: (no: number) => () => fixed32Field(no, Math.floor(o.random() * 2 ** 32)),
  };
}

/** The oneof member of an AnyValue as one field, or undefined for an empty AnyValue. */
function anyValueMember(v: AnyValueM, o: ScrambleOptions): Bytes[] | undefined {
  switch (v.kind) {
    case "none":
      return undefined;
    case "string":
      return [lenField(1, strBytes(v.v))];
    case "bool":
      return [varintField(2, v.v ? 1 : 0)];
    case "int":
      return [varintField(3, v.v)];
    case "double":
      return [doubleField(4, v.v)];
    case "array": {
      const w = new MessageWriter(o, [1]);
      w.repeated(
        1,
        v.v.map((x) => encodeAnyValue(x, o)),
      );
      return new MessageWriter(o, []).split(5, w.finish());
    }
    case "kvlist": {
      const w = new MessageWriter(o, [1]);
      w.repeated(
        1,
        v.v.map((x) => encodeKeyValue(x, o)),
      );
      return new MessageWriter(o, []).split(6, w.finish());
    }
    case "bytes":
      return [lenField(7, v.v)];
  }
}

const SCALAR_KINDS = new Set(["string", "bool", "int", "double", "bytes"]);

export function encodeAnyValue(v: AnyValueM, o: ScrambleOptions): Bytes[] {
  const w = new MessageWriter(o, [1, 2, 3, 4, 5, 6, 7]);
  const member = anyValueMember(v, o);
  if (member !== undefined) {
    const before: Bytes[] = [];
    const r = o.random;
    // Earlier values of the same scalar member are overridden by the last one (protobufjs too).
    if (o.repeatScalars && SCALAR_KINDS.has(v.kind)) {
      while (r() < 0.15) before.push(...anyValueMember(randomScalarLike(v, r), CANONICAL)!);
    }
    // Another member set earlier is cleared by the last one.
    if (o.mergeMessages) {
      while (r() < 0.15) {
        const other = otherMember(v.kind, r);
        if (other !== undefined) before.push(...anyValueMember(other, CANONICAL)!);
      }
    }
    w.group([...before, ...member]);
  }
  return w.finish();
}

function randomScalarLike(v: AnyValueM, r: () => number): AnyValueM {
  switch (v.kind) {
    case "string":
      return { kind: "string", v: randomBytes(r, Math.floor(r() * 6)) };
    case "bool":
      return { kind: "bool", v: r() < 0.5 };
    case "int":
      return { kind: "int", v: randomUint64(r) };
    case "double":
      return { kind: "double", v: r() * 1e6 };
    default:
      return { kind: "bytes", v: randomBytes(r, Math.floor(r() * 6)) };
  }
}

function otherMember(kind: AnyValueM["kind"], r: () => number): AnyValueM | undefined {
  const options: AnyValueM[] = [
    { kind: "string", v: "decoy" },
    { kind: "bool", v: true },
    { kind: "int", v: -7n },
    { kind: "double", v: 0.5 },
    { kind: "array", v: [{ kind: "string", v: "decoy" }] },
    { kind: "kvlist", v: [{ key: "decoy", value: { kind: "int", v: 1n } }] },
    { kind: "bytes", v: Uint8Array.of(1, 2) },
  ];
  const other = options[Math.floor(r() * options.length)]!;
  return other.kind === kind ? undefined : other;
}

export function encodeKeyValue(kv: KeyValueM, o: ScrambleOptions): Bytes[] {
  const w = new MessageWriter(o, [1, 2]);
  const d = decoys(o);
  w.scalar(str(1, kv.key), d.len(1));
  w.message(2, kv.value === undefined ? undefined : encodeAnyValue(kv.value, o));
  return w.finish();
}

const keyValues = (list: readonly KeyValueM[], o: ScrambleOptions) => list.map((kv) => encodeKeyValue(kv, o));

function encodeStatus(s: StatusM, o: ScrambleOptions): Bytes[] {
  const w = new MessageWriter(o, [2, 3]);
  const d = decoys(o);
  w.scalar(str(2, s.message), d.len(2));
  w.scalar(s.code === undefined ? undefined : varintField(3, s.code), d.varint(3));
  return w.finish();
}

function encodeEvent(e: EventM, o: ScrambleOptions): Bytes[] {
  const w = new MessageWriter(o, [1, 2, 3, 4]);
  const d = decoys(o);
  w.scalar(e.time === undefined ? undefined : fixed64Field(1, e.time), d.fixed64(1));
  w.scalar(str(2, e.name), d.len(2));
  w.repeated(3, keyValues(e.attributes, o));
  return w.finish();
}

function encodeLink(l: LinkM, o: ScrambleOptions): Bytes[] {
  const w = new MessageWriter(o, [1, 2, 3, 4, 5, 6]);
  const d = decoys(o);
  w.scalar(bytes(1, l.trace_id), d.len(1));
  w.scalar(bytes(2, l.span_id), d.len(2));
  w.repeated(4, keyValues(l.attributes, o));
  w.scalar(l.flags === undefined ? undefined : fixed32Field(6, l.flags), d.fixed32(6));
  return w.finish();
}

export function encodeSpan(s: SpanM, o: ScrambleOptions): Bytes[] {
  const w = new MessageWriter(o, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  const d = decoys(o);
  w.scalar(bytes(1, s.trace_id), d.len(1));
  w.scalar(bytes(2, s.span_id), d.len(2));
  w.scalar(str(3, s.trace_state), d.len(3));
  w.scalar(bytes(4, s.parent_span_id), d.len(4));
  w.scalar(str(5, s.name), d.len(5));
  w.scalar(s.kind === undefined ? undefined : varintField(6, s.kind), d.varint(6));
  w.scalar(s.start === undefined ? undefined : fixed64Field(7, s.start), d.fixed64(7));
  w.scalar(s.end === undefined ? undefined : fixed64Field(8, s.end), d.fixed64(8));
  w.repeated(9, keyValues(s.attributes, o));
  const dropped = s.dropped_attributes_count;
  w.scalar(dropped === undefined ? undefined : varintField(10, dropped), d.varint(10));
  w.repeated(
    11,
    s.events.map((e) => encodeEvent(e, o)),
  );
  w.repeated(
    13,
    s.links.map((l) => encodeLink(l, o)),
  );
  w.message(15, s.status === undefined ? undefined : encodeStatus(s.status, o));
  w.scalar(s.flags === undefined ? undefined : fixed32Field(16, s.flags), d.fixed32(16));
  return w.finish();
}

function encodeScope(s: ScopeM, o: ScrambleOptions): Bytes[] {
  const w = new MessageWriter(o, [1, 2, 3, 4]);
  const d = decoys(o);
  w.scalar(str(1, s.name), d.len(1));
  w.scalar(str(2, s.version), d.len(2));
  w.repeated(3, keyValues(s.attributes, o));
  return w.finish();
}

function encodeScopeSpans(ss: ScopeSpansM, o: ScrambleOptions): Bytes[] {
  const w = new MessageWriter(o, [1, 2, 3]);
  w.message(1, ss.scope === undefined ? undefined : encodeScope(ss.scope, o));
  w.repeated(
    2,
    ss.spans.map((s) => encodeSpan(s, o)),
  );
  w.scalar(str(3, ss.schema_url), decoys(o).len(3));
  return w.finish();
}

function encodeResource(r: ResourceM, o: ScrambleOptions): Bytes[] {
  const w = new MessageWriter(o, [1, 2, 3]);
  w.repeated(1, keyValues(r.attributes, o));
  const dropped = r.dropped_attributes_count;
  w.scalar(dropped === undefined ? undefined : varintField(2, dropped), decoys(o).varint(2));
  return w.finish();
}

function encodeResourceSpans(rs: ResourceSpansM, o: ScrambleOptions): Bytes[] {
  const w = new MessageWriter(o, [1, 2, 3]);
  w.message(1, rs.resource === undefined ? undefined : encodeResource(rs.resource, o));
  w.repeated(
    2,
    rs.scope_spans.map((ss) => encodeScopeSpans(ss, o)),
  );
  w.scalar(str(3, rs.schema_url), decoys(o).len(3));
  return w.finish();
}

/** The request as bytes, written as `o` says. */
export function encodeRequest(req: RequestM, o: ScrambleOptions): Buffer {
  const w = new MessageWriter(o, [1]);
  w.repeated(
    1,
    req.resource_spans.map((rs) => encodeResourceSpans(rs, o)),
  );
  return toBuffer(w.finish());
}
