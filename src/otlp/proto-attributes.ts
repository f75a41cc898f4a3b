import type { AttributeValue } from "../domain/span.js";
import { Tag_AnyValue, Tag_ArrayValue, Tag_KeyValue, Tag_KeyValueList } from "./generated/fields.js";
import type { ProtoReader } from "./reader.js";
import type { StringCache } from "./string-cache.js";

/** Reads an `AnyValue` message ending at `end`. An empty AnyValue is null. */
function readAnyValue(r: ProtoReader, end: number): AttributeValue {
  let value: AttributeValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case Tag_AnyValue.string_value:
        value = r.string(end);
        break;
      case Tag_AnyValue.bool_value:
        value = r.uint32() !== 0;
        break;
      case Tag_AnyValue.int_value:
        value = r.int64();
        break;
      case Tag_AnyValue.double_value:
        value = r.double(end);
        break;
      case Tag_AnyValue.array_value:
        value = readArrayValue(r, r.lengthEnd(end));
        break;
      case Tag_AnyValue.kvlist_value:
        // Nested maps are flattened to their JSON text: attribute values stay scalar or arrays.
        value = JSON.stringify(readKeyValueList(r, r.lengthEnd(end)));
        break;
      case Tag_AnyValue.bytes_value: {
        const bytesEnd = r.lengthEnd(end);
        value = r.buf.toString("base64", r.pos, bytesEnd);
        r.pos = bytesEnd;
        break;
      }
      default:
        r.skip(tag & 7, end);
    }
  }
  return value;
}

function readArrayValue(r: ProtoReader, end: number): AttributeValue[] {
  const values: AttributeValue[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === Tag_ArrayValue.values) values.push(readAnyValue(r, r.lengthEnd(end)));
    else r.skip(tag & 7, end);
  }
  r.pos = end;
  return values;
}

function readKeyValueList(r: ProtoReader, end: number): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === Tag_KeyValueList.values) readKeyValueInto(r, r.lengthEnd(end), out, null, null);
    else r.skip(tag & 7, end);
  }
  r.pos = end;
  return out;
}

/**
 * Reads one `KeyValue` ending at `end` into `out`. With `only`, keys outside the set are skipped
 * without decoding their values.
 */
export function readKeyValueInto(
  r: ProtoReader,
  end: number,
  out: Record<string, AttributeValue>,
  only: ReadonlySet<string> | null,
  keys: StringCache | null,
): void {
  let key: string | null = null;
  let value: AttributeValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === Tag_KeyValue.key) {
      if (keys === null) key = r.string(end);
      else {
        const keyEnd = r.lengthEnd(end);
        key = keys.get(r.buf, r.pos, keyEnd);
        r.pos = keyEnd;
      }
    } else if (tag === Tag_KeyValue.value && (only === null || (key !== null && only.has(key)))) {
      value = readAnyValue(r, r.lengthEnd(end));
    } else {
      r.skip(tag & 7, end);
    }
  }
  r.pos = end;
  if (key !== null && (only === null || only.has(key))) out[key] = value;
}

/** Reads the string value of one `KeyValue` if its key is `wanted`, else returns null. */
export function readStringIfKey(r: ProtoReader, end: number, wanted: string): string | null {
  let key: string | null = null;
  let result: string | null = null;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === Tag_KeyValue.key) key = r.string(end);
    else if (tag === Tag_KeyValue.value && key === wanted) {
      const v = readAnyValue(r, r.lengthEnd(end));
      if (typeof v === "string") result = v;
    } else r.skip(tag & 7, end);
  }
  r.pos = end;
  return result;
}
