import type { AttributeValue } from "../domain/span.js";
import { Tag_AnyValue, Tag_ArrayValue, Tag_KeyValue, Tag_KeyValueList } from "./generated/fields.js";
import { ProtoReader } from "./reader.js";
import type { StringCache } from "./string-cache.js";

/*
 * Protobuf lets fields come in any order, repeat, or be unknown. Every reader here makes one pass
 * over a message's fields and interprets them with the wire format's rules: a repeated scalar
 * field keeps its last value, a repeated field of a message type is merged (for `AnyValue`'s
 * oneof: the same message member merges, another member replaces it), repeated fields
 * concatenate, unknown fields are skipped.
 */

/** Reads an `AnyValue` message ending at `end`. An empty AnyValue is null. */
function readAnyValue(r: ProtoReader, end: number): AttributeValue {
  let value: AttributeValue = null;
  // Set while the oneof holds `array_value` / `kvlist_value`: a later occurrence merges into it.
  let array: AttributeValue[] | null = null;
  let map: Record<string, AttributeValue> | null = null;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case Tag_AnyValue.string_value:
        value = r.string(end);
        array = map = null;
        break;
      case Tag_AnyValue.bool_value:
        value = r.uint32() !== 0;
        array = map = null;
        break;
      case Tag_AnyValue.int_value:
        value = r.int64();
        array = map = null;
        break;
      case Tag_AnyValue.double_value:
        value = r.double(end);
        array = map = null;
        break;
      case Tag_AnyValue.array_value:
        map = null;
        array ??= [];
        readArrayValueInto(r, r.lengthEnd(end), array);
        value = array;
        break;
      case Tag_AnyValue.kvlist_value:
        array = null;
        map ??= {};
        readKeyValueListInto(r, r.lengthEnd(end), map);
        break;
      case Tag_AnyValue.bytes_value: {
        const bytesEnd = r.lengthEnd(end);
        value = r.buf.toString("base64", r.pos, bytesEnd);
        r.pos = bytesEnd;
        array = map = null;
        break;
      }
      default:
        r.skip(tag & 7, end);
    }
  }
  if (r.pos !== end) r.truncated();
  // Nested maps are flattened to their JSON text: attribute values stay scalar or arrays.
  return map === null ? value : JSON.stringify(map);
}

function readArrayValueInto(r: ProtoReader, end: number, values: AttributeValue[]): void {
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === Tag_ArrayValue.values) values.push(readAnyValue(r, r.lengthEnd(end)));
    else r.skip(tag & 7, end);
  }
  if (r.pos !== end) r.truncated();
}

function readKeyValueListInto(r: ProtoReader, end: number, out: Record<string, AttributeValue>): void {
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === Tag_KeyValueList.values) readKeyValueInto(r, r.lengthEnd(end), out, null, null);
    else r.skip(tag & 7, end);
  }
  if (r.pos !== end) r.truncated();
}

/**
 * Where the fields of one `KeyValue` are, found in one pass: the last `key`, and the `value`
 * occurrences (almost always one; more are merged). Module state rather than an object per
 * attribute: {@link scanKeyValue} fills it, and its callers read it before decoding the value,
 * whose nested KeyValues (a kvlist) scan again and overwrite it.
 */
let keyStart = -1;
let keyEnd = -1;
let valueStart = -1;
let valueEnd = -1;
/** Start/end pairs of the second and later `value` occurrences, or null when there is one. */
let moreValues: number[] | null = null;

function scanKeyValue(r: ProtoReader, end: number): void {
  keyStart = keyEnd = valueStart = valueEnd = -1;
  moreValues = null;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === Tag_KeyValue.key) {
      keyEnd = r.lengthEnd(end);
      keyStart = r.pos;
      r.pos = keyEnd;
    } else if (tag === Tag_KeyValue.value) {
      const e = r.lengthEnd(end);
      if (valueStart < 0) {
        valueStart = r.pos;
        valueEnd = e;
      } else (moreValues ??= []).push(r.pos, e);
      r.pos = e;
    } else {
      r.skip(tag & 7, end);
    }
  }
  if (r.pos !== end) r.truncated();
}

/** Decodes the value found by {@link scanKeyValue}; leaves the cursor where it was. */
function scannedValue(r: ProtoReader): AttributeValue {
  if (valueStart < 0) return null;
  const saved = r.pos;
  let value: AttributeValue;
  if (moreValues === null) {
    r.pos = valueStart;
    value = readAnyValue(r, valueEnd);
  } else {
    // Merging occurrences of a message field is reading their concatenated bytes as one message.
    const parts = [r.buf.subarray(valueStart, valueEnd)];
    for (let i = 0; i < moreValues.length; i += 2)
      parts.push(r.buf.subarray(moreValues[i], moreValues[i + 1]));
    const merged = new ProtoReader(Buffer.concat(parts));
    value = readAnyValue(merged, merged.buf.byteLength);
  }
  r.pos = saved;
  return value;
}

/**
 * Reads one `KeyValue` ending at `end` into `out`. With `only`, keys outside the set are skipped
 * without decoding their values. An absent key is the empty key, as proto3 defines it.
 */
export function readKeyValueInto(
  r: ProtoReader,
  end: number,
  out: Record<string, AttributeValue>,
  only: ReadonlySet<string> | null,
  keys: StringCache | null,
): void {
  scanKeyValue(r, end);
  let key = "";
  if (keyStart >= 0 && keyEnd > keyStart) {
    key = keys === null ? r.buf.toString("utf8", keyStart, keyEnd) : keys.get(r.buf, keyStart, keyEnd);
  }
  if (only !== null && !only.has(key)) return;
  out[key] = scannedValue(r);
}

/**
 * The value of one `KeyValue` if its key is `wanted` (UTF-8 bytes), else undefined. The key is
 * compared as bytes, so other keys cost no string.
 */
export function readValueIfKey(r: ProtoReader, end: number, wanted: Uint8Array): AttributeValue | undefined {
  scanKeyValue(r, end);
  const len = keyStart < 0 ? 0 : keyEnd - keyStart;
  if (len !== wanted.length) return undefined;
  const buf = r.buf;
  for (let i = 0; i < len; i++) if (buf[keyStart + i] !== wanted[i]) return undefined;
  return scannedValue(r);
}
