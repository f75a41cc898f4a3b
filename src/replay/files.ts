import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseTrainTicketCsv } from "../datasets/trainticket.js";
import { decodeSpans, describeRejection, type DecodeOptions, type Rejection } from "../decode/index.js";
import type { Span } from "../domain/span.js";

/** Spans read from one recorded file, and what could not be read. */
export interface SpanFile {
  readonly path: string;
  readonly spans: Span[];
  readonly rejected: readonly Rejection[];
}

// Whole files are not Kafka messages: no per-message size limit, keep every attribute.
const FILE_DECODE: DecodeOptions = { maxMessageBytes: Number.MAX_SAFE_INTEGER, attributes: { mode: "all" } };
// A file that is not protobuf by its extension is text: never guess protobuf for it.
const NATIVE_JSON_FILE: DecodeOptions = { ...FILE_DECODE, encoding: "json" };

/**
 * Reads recorded spans. By extension: `.csv` is the TrainTicket span CSV; `.pb`, `.bin`, `.otlp`,
 * `.protobuf` hold one OTLP protobuf ExportTraceServiceRequest; anything else is JSON: native span
 * JSON (object, array or NDJSON), an OTLP JSON request, or OTLP JSON requests one per line (as the
 * collector's file exporter writes them). A `.gz` suffix is gunzipped first and the extension
 * before it decides (`trace.csv.gz` is a gzipped span CSV).
 */
export async function readSpanFile(path: string): Promise<SpanFile> {
  const gzipped = path.toLowerCase().endsWith(".gz");
  const raw = await readFile(path);
  const bytes = gzipped ? gunzipSync(raw) : raw;
  const ext = extname(gzipped ? path.slice(0, -3) : path).toLowerCase();
  if (ext === ".csv") {
    return {
      path,
      spans: parseTrainTicketCsv(bytes.toString("utf8"), path).map((r) => r.span),
      rejected: [],
    };
  }
  if ([".pb", ".bin", ".otlp", ".protobuf"].includes(ext)) {
    const r = decodeSpans(bytes, { ...FILE_DECODE, encoding: "otlp_proto" });
    return { path, spans: r.spans, rejected: r.rejected };
  }
  return decodeJsonFile(path, bytes);
}

function decodeJsonFile(path: string, bytes: Buffer): SpanFile {
  let whole = decodeSpans(bytes, FILE_DECODE);
  // Text that is not JSON at all looks like protobuf to detection; report it as the JSON it should be.
  if (whole.encoding === "otlp_proto") whole = decodeSpans(bytes, NATIVE_JSON_FILE);
  if (whole.encoding !== "otlp_json" || whole.rejected.length === 0) {
    return { path, spans: whole.spans, rejected: whole.rejected };
  }
  // Several OTLP JSON requests, one per line.
  const spans: Span[] = [];
  const rejected: Rejection[] = [];
  bytes
    .toString("utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      const r = decodeSpans(Buffer.from(line, "utf8"), FILE_DECODE);
      // Not push(...spans): one line of a 100,000-span trace would overflow the stack.
      for (const s of r.spans) spans.push(s);
      for (const rej of r.rejected) rejected.push({ ...rej, message: describeRejection(rej), line: i + 1 });
    });
  return { path, spans, rejected };
}
