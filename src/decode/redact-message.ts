import { createHash } from "node:crypto";
import { hashValue, type RedactionAction } from "../core/alerts/redaction.js";
import type { AttributeValue } from "../domain/span.js";
import {
  Tag_AnyValue,
  Tag_ExportTraceServiceRequest,
  Tag_InstrumentationScope,
  Tag_KeyValue,
  Tag_Resource,
  Tag_ResourceSpans,
  Tag_ScopeSpans,
  Tag_Span,
  Tag_Span_Event,
  Tag_Span_Link,
} from "../otlp/generated/fields.js";
import { anyValue as otlpJsonAnyValue } from "../otlp/json-decode.js";
import { readKeyValueInto } from "../otlp/proto-attributes.js";
import { ProtoReader, WireError } from "../otlp/reader.js";
import { isRecord, parseJsonKeepingNanos } from "./json-common.js";
import type { SpanEncoding } from "./types.js";

/**
 * What is kept of a message that cannot be parsed at all (so its attributes cannot be found):
 * - `keep`: the raw bytes, as received;
 * - `metadata`: no payload, only its size and SHA-256 (with the usual error and source headers).
 */
export type UndecodablePolicy = "keep" | "metadata";

/** Options of {@link MessageRedactor}. */
export interface MessageRedactorOptions {
  /** The attribute actions of `spec.redaction`. Default none. */
  readonly actions?: readonly RedactionAction[];
  /** Default `metadata` when there are actions, `keep` without (nothing to redact). */
  readonly undecodable?: UndecodablePolicy;
}

/**
 * A message after redaction.
 * - `redacted`: the message could be parsed; `bytes` is it with every configured attribute hashed
 *   or deleted (the original bytes when `redacted` is 0 and nothing was removed). With the
 *   `metadata` policy, NDJSON lines that are not JSON are emptied (`removedParts`).
 * - `undecodable`: nothing could be parsed; `bytes` is the original (`keep`) or null (`metadata`).
 */
export type RedactedMessage =
  | {
      readonly kind: "redacted";
      readonly bytes: Uint8Array;
      readonly redacted: number;
      readonly removedParts: number;
    }
  | {
      readonly kind: "undecodable";
      readonly bytes: Uint8Array | null;
      readonly size: number;
      readonly sha256: string;
    };

/** Thrown inside the walkers; never escapes {@link MessageRedactor.redact}. */
class Unparseable extends Error {}

/**
 * Applies `spec.redaction` to a span message before it is kept anywhere (the dead-letter topic),
 * in the message's own encoding: OTLP protobuf, OTLP JSON or native span JSON. Every attribute
 * list is covered (resource, scope, span, event, link), including spans the decoder rejected,
 * and fields it does not know are kept. Only top-level attribute keys match, as in alerts; a
 * hashed value is the same SHA-256 hex an alert carries.
 */
export class MessageRedactor {
  private readonly actions: ReadonlyMap<string, "hash" | "delete">;
  readonly undecodable: UndecodablePolicy;

  constructor(options: MessageRedactorOptions = {}) {
    const actions = options.actions ?? [];
    this.actions = new Map(actions.map((a) => [a.key, a.action]));
    this.undecodable = options.undecodable ?? (actions.length > 0 ? "metadata" : "keep");
  }

  /** Never throws. */
  redact(bytes: Uint8Array, encoding: SpanEncoding): RedactedMessage {
    if (this.actions.size === 0 && this.undecodable === "keep") {
      return { kind: "redacted", bytes, redacted: 0, removedParts: 0 };
    }
    try {
      if (encoding === "otlp_proto") return this.proto(bytes);
      return this.json(bytes, encoding);
    } catch (err) {
      // RangeError: nesting too deep to walk; it is kept as undecodable too.
      const unparseable =
        err instanceof Unparseable ||
        err instanceof WireError ||
        err instanceof SyntaxError ||
        err instanceof RangeError;
      if (!unparseable) throw err;
      return this.undecodableMessage(bytes);
    }
  }

  /**
   * A message the decoder could not read at all (not even as a list of spans): nothing of it is
   * known to be an attribute, so it is kept or withheld as the `undecodable` policy says.
   */
  unreadable(bytes: Uint8Array): RedactedMessage {
    if (this.actions.size === 0 && this.undecodable === "keep") {
      return { kind: "redacted", bytes, redacted: 0, removedParts: 0 };
    }
    return this.undecodableMessage(bytes);
  }

  private undecodableMessage(bytes: Uint8Array): RedactedMessage {
    return {
      kind: "undecodable",
      bytes: this.undecodable === "keep" ? bytes : null,
      size: bytes.byteLength,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    };
  }

  private proto(bytes: Uint8Array): RedactedMessage {
    if (bytes.byteLength === 0) throw new Unparseable("empty");
    const r = new ProtoReader(bytes);
    const counter = { n: 0 };
    const out = copyMessage(r, r.buf.byteLength, REQUEST, this.actions, counter);
    return { kind: "redacted", bytes: counter.n === 0 ? bytes : out, redacted: counter.n, removedParts: 0 };
  }

  private json(bytes: Uint8Array, encoding: "otlp_json" | "json"): RedactedMessage {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    const counter = { n: 0 };
    let tree: unknown;
    try {
      tree = parseJsonKeepingNanos(text);
    } catch (err) {
      // Native NDJSON: each line is its own message part.
      if (encoding !== "json" || !text.includes("\n")) throw err;
      return this.ndjson(text);
    }
    redactJsonTree(tree, this.actions, counter);
    if (counter.n === 0) return { kind: "redacted", bytes, redacted: 0, removedParts: 0 };
    return {
      kind: "redacted",
      bytes: Buffer.from(JSON.stringify(tree), "utf8"),
      redacted: counter.n,
      removedParts: 0,
    };
  }

  private ndjson(text: string): RedactedMessage {
    const counter = { n: 0 };
    let parsedLines = 0;
    let removedParts = 0;
    // Lines keep their positions (blank lines count), so error.spans still points at them.
    const lines = text.split("\n").map((line) => {
      if (line.trim() === "") return line;
      let tree: unknown;
      try {
        tree = parseJsonKeepingNanos(line);
      } catch {
        if (this.undecodable === "keep") return line;
        removedParts += 1;
        return "";
      }
      parsedLines += 1;
      const before = counter.n;
      redactJsonTree(tree, this.actions, counter);
      return counter.n === before ? line : JSON.stringify(tree);
    });
    if (parsedLines === 0) throw new Unparseable("no line is JSON");
    const changed = counter.n > 0 || removedParts > 0;
    return {
      kind: "redacted",
      bytes: changed ? Buffer.from(lines.join("\n"), "utf8") : Buffer.from(text, "utf8"),
      redacted: counter.n,
      removedParts,
    };
  }
}

// --- OTLP protobuf -------------------------------------------------------------------------

/** Field numbers of a message type that lead to attributes: a nested type, or a KeyValue list. */
type Schema = { readonly [field: number]: Schema | "attributes" };

const f = (tag: number): number => tag >>> 3;
const RESOURCE: Schema = { [f(Tag_Resource.attributes)]: "attributes" };
const SCOPE: Schema = { [f(Tag_InstrumentationScope.attributes)]: "attributes" };
const EVENT: Schema = { [f(Tag_Span_Event.attributes)]: "attributes" };
const LINK: Schema = { [f(Tag_Span_Link.attributes)]: "attributes" };
const SPAN: Schema = {
  [f(Tag_Span.attributes)]: "attributes",
  [f(Tag_Span.events)]: EVENT,
  [f(Tag_Span.links)]: LINK,
};
const SCOPE_SPANS: Schema = { [f(Tag_ScopeSpans.scope)]: SCOPE, [f(Tag_ScopeSpans.spans)]: SPAN };
const RESOURCE_SPANS: Schema = {
  [f(Tag_ResourceSpans.resource)]: RESOURCE,
  [f(Tag_ResourceSpans.scope_spans)]: SCOPE_SPANS,
};
/** `ExportTraceServiceRequest` (and `TracesData`, which has the same shape). */
const REQUEST: Schema = { [f(Tag_ExportTraceServiceRequest.resource_spans)]: RESOURCE_SPANS };

type Actions = ReadonlyMap<string, "hash" | "delete">;

/**
 * Copies the message ending at `end`, rewriting the attributes the schema leads to. Fields may
 * come in any order, repeat, or be unknown (kept as they are).
 */
function copyMessage(
  r: ProtoReader,
  end: number,
  schema: Schema,
  actions: Actions,
  counter: { n: number },
): Buffer {
  const parts: Buffer[] = [];
  const before = counter.n;
  const start = r.pos;
  while (r.pos < end) {
    const fieldStart = r.pos;
    const tag = r.uint32();
    const child = schema[tag >>> 3];
    if (child === undefined || (tag & 7) !== 2) {
      r.skip(tag & 7, end);
      parts.push(r.buf.subarray(fieldStart, r.pos));
      continue;
    }
    const childEnd = r.lengthEnd(end);
    const body =
      child === "attributes"
        ? redactKeyValue(r, childEnd, actions, counter)
        : copyMessage(r, childEnd, child, actions, counter);
    r.pos = childEnd;
    if (body !== null) parts.push(varint(tag), varint(body.byteLength), body);
  }
  if (r.pos !== end) throw new Unparseable("field runs past its message");
  return counter.n === before ? r.buf.subarray(start, end) : Buffer.concat(parts);
}

/** One `KeyValue`: its bytes, a hashed copy, or null when deleted. */
function redactKeyValue(
  r: ProtoReader,
  end: number,
  actions: Actions,
  counter: { n: number },
): Buffer | null {
  const start = r.pos;
  const decoded: Record<string, AttributeValue> = {};
  readKeyValueInto(r, end, decoded, null, null);
  const key = Object.keys(decoded)[0];
  const action = key === undefined ? undefined : actions.get(key);
  if (key === undefined || action === undefined) return r.buf.subarray(start, end);
  counter.n += 1;
  if (action === "delete") return null;
  const keyBytes = Buffer.from(key, "utf8");
  const hash = Buffer.from(hashValue(decoded[key] ?? null), "utf8");
  const anyValue = Buffer.concat([varint(Tag_AnyValue.string_value), varint(hash.byteLength), hash]);
  return Buffer.concat([
    varint(Tag_KeyValue.key),
    varint(keyBytes.byteLength),
    keyBytes,
    varint(Tag_KeyValue.value),
    varint(anyValue.byteLength),
    anyValue,
  ]);
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

// --- JSON ------------------------------------------------------------------------------------

/**
 * Redacts, in place, every `attributes` value in the tree: an OTLP/JSON `KeyValue` array
 * (`[{key, value: AnyValue}]`) or a native attribute map (`{key: value}`).
 */
function redactJsonTree(node: unknown, actions: Actions, counter: { n: number }): void {
  if (Array.isArray(node)) {
    for (const item of node) redactJsonTree(item, actions, counter);
    return;
  }
  if (!isRecord(node)) return;
  for (const [field, value] of Object.entries(node)) {
    if (field === "attributes" && Array.isArray(value))
      node[field] = redactKeyValues(value, actions, counter);
    else if (field === "attributes" && isRecord(value)) redactMap(value, actions, counter);
    else redactJsonTree(value, actions, counter);
  }
}

function redactKeyValues(list: unknown[], actions: Actions, counter: { n: number }): unknown[] {
  const out: unknown[] = [];
  for (const kv of list) {
    const action = isRecord(kv) && typeof kv.key === "string" ? actions.get(kv.key) : undefined;
    if (action === undefined || !isRecord(kv)) {
      out.push(kv);
      continue;
    }
    counter.n += 1;
    if (action === "hash")
      out.push({ key: kv.key, value: { stringValue: hashValue(otlpJsonAnyValue(kv.value)) } });
  }
  return out;
}

function redactMap(map: Record<string, unknown>, actions: Actions, counter: { n: number }): void {
  for (const key of Object.keys(map)) {
    const action = actions.get(key);
    if (action === undefined) continue;
    counter.n += 1;
    if (action === "delete") delete map[key];
    else map[key] = hashValue(toAttributeValue(map[key]));
  }
}

/** A native attribute value as the decoder keeps it: nested objects become their JSON text. */
function toAttributeValue(value: unknown): AttributeValue {
  if (isRecord(value)) return JSON.stringify(value);
  return (value ?? null) as AttributeValue;
}
