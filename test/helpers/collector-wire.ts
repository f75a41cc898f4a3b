import { join } from "node:path";
import protobuf from "protobufjs";
import { PROTO_DIR } from "../../scripts/codegen-otlp.mjs";

let requestType: protobuf.Type | undefined;

/** The vendored `ExportTraceServiceRequest` type, resolved once. */
export function exportTraceServiceRequestType(): protobuf.Type {
  if (requestType === undefined) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
    root.loadSync("opentelemetry/proto/collector/trace/v1/trace_service.proto", { keepCase: true });
    root.resolveAll();
    requestType = root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");
  }
  return requestType;
}

interface Field {
  readonly number: number;
  /** The whole field: tag and value bytes. */
  readonly start: number;
  readonly end: number;
  /** For length-delimited fields: where the payload starts. */
  readonly payload: number;
}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++]!;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, pos];
    shift += 7;
  }
}

function fieldsOf(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [tag, afterTag] = readVarint(buf, pos);
    const wire = tag % 8;
    pos = afterTag;
    let payload = pos;
    if (wire === 0) pos = readVarint(buf, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, p] = readVarint(buf, pos);
      payload = p;
      pos = p + len;
    } else throw new Error(`wire type ${wire} is not written by the Collector`);
    out.push({ number: Math.floor(tag / 8), start, end: pos, payload });
  }
  return out;
}

function varintBytes(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

/**
 * Rewrites a message the way the OpenTelemetry Collector's marshaller (pdata) writes it: every
 * message's fields in the reverse of their order in the .proto file (`scope_spans` before
 * `resource`, `value` before `key`; a span's `flags`, declared after `parent_span_id`, comes just
 * before it), at every depth. Occurrences of one repeated field keep their order.
 */
export function reverseFieldOrder(type: protobuf.Type, bytes: Uint8Array): Buffer {
  const fields = fieldsOf(bytes);
  const declared = (n: number): number => type.fieldsArray.findIndex((f) => f.id === n);
  const order = [...fields.keys()].sort(
    (a, b) => declared(fields[b]!.number) - declared(fields[a]!.number) || a - b,
  );
  const parts: Uint8Array[] = [];
  for (const i of order) {
    const f = fields[i]!;
    const child = type.fieldsById[f.number]?.resolvedType;
    if (child instanceof protobuf.Type) {
      const inner = reverseFieldOrder(child, bytes.subarray(f.payload, f.end));
      parts.push(bytes.subarray(f.start, readVarint(bytes, f.start)[1]));
      parts.push(Uint8Array.from(varintBytes(inner.length)), inner);
    } else {
      parts.push(bytes.subarray(f.start, f.end));
    }
  }
  return Buffer.concat(parts);
}
