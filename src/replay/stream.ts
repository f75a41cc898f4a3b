import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { parseTrainTicketRow, TRAINTICKET_CSV_HEADER } from "../datasets/trainticket.js";
import { decodeSpans, describeRejection, type DecodeOptions } from "../decode/index.js";
import type { Span } from "../domain/span.js";
import { TracewatchError } from "../errors.js";
import { readSpanFile } from "./files.js";

/** Spans read from a file so far, in file order, with what could not be read. */
export interface SpanChunk {
  readonly spans: Span[];
  /** Rejections of this chunk as text (`line N: ...`). */
  readonly rejected: readonly string[];
  /** Bytes of the file (compressed, for `.gz`) read so far. */
  readonly bytesRead: number;
}

/** Options of {@link streamSpanFile}. */
export interface SpanStreamOptions {
  /** Spans per chunk (a chunk may hold more: one line's spans are never split). Default 5,000. */
  readonly chunkSpans?: number;
  /**
   * Largest file read whole: a single OTLP protobuf request (`.pb`, `.bin`, `.otlp`, `.protobuf`)
   * or a JSON document that is not one value per line (an array, pretty-printed JSON) cannot be
   * read record by record. Default {@link MAX_WHOLE_FILE_BYTES}.
   */
  readonly maxWholeFileBytes?: number;
}

/**
 * Files that cannot be streamed are read whole up to this size (on disk): 256 MiB. Above it the
 * reader refuses with TW_MESSAGE_TOO_LARGE; write such data as NDJSON (native spans, or OTLP JSON
 * requests one per line, as the Collector's file exporter does) to stream it.
 */
export const MAX_WHOLE_FILE_BYTES = 256 * 1024 * 1024;

const FILE_DECODE: DecodeOptions = { maxMessageBytes: Number.MAX_SAFE_INTEGER, attributes: { mode: "all" } };
const NATIVE_JSON: DecodeOptions = { ...FILE_DECODE, encoding: "json" };
const PROTOBUF_EXTENSIONS = [".pb", ".bin", ".otlp", ".protobuf"];

/**
 * Reads recorded spans in chunks, so memory is bounded by a chunk and not by the file: the same
 * formats as {@link readSpanFile} (a `.gz` suffix is gunzipped on the fly). NDJSON (native spans
 * or OTLP JSON requests, one per line) and the TrainTicket CSV are streamed line by line; a single
 * OTLP protobuf request, or a JSON document spread over lines, is read whole up to
 * `maxWholeFileBytes` and refused above it.
 */
export async function* streamSpanFile(path: string, o: SpanStreamOptions = {}): AsyncGenerator<SpanChunk> {
  const gzipped = path.toLowerCase().endsWith(".gz");
  const ext = extname(gzipped ? path.slice(0, -3) : path).toLowerCase();
  if (PROTOBUF_EXTENSIONS.includes(ext)) {
    yield* readWhole(path, o, "a single OTLP protobuf request cannot be read span by span");
    return;
  }
  const file = createReadStream(path);
  const input: Readable = gzipped ? file.pipe(createGunzip()) : file;
  file.on("error", (err) => input.destroy(err));
  const lines = createInterface({ input, crlfDelay: Infinity });
  const chunkSpans = Math.max(1, o.chunkSpans ?? 5_000);
  let spans: Span[] = [];
  let rejected: string[] = [];
  let lineNo = 0;
  let mode: "csv" | "json" | null = ext === ".csv" ? "csv" : null;
  try {
    for await (const line of lines) {
      lineNo++;
      if (mode === "csv") {
        if (lineNo === 1) {
          if (line.trim() !== TRAINTICKET_CSV_HEADER)
            throw new TracewatchError("TW_DECODE_FAILED", `${path}: unexpected header`);
          continue;
        }
        if (line !== "") spans.push(parseTrainTicketRow(line, path, lineNo).span);
      } else {
        if (line.trim() === "") continue;
        if (mode === null) {
          // One value per line, or a document spread over lines (read whole, bounded).
          if (!isJsonValue(line)) break;
          mode = "json";
        }
        const r = decodeSpans(
          Buffer.from(line, "utf8"),
          line.trimStart().startsWith("[") ? FILE_DECODE : lineOptions(line),
        );
        for (const s of r.spans) spans.push(s);
        for (const rej of r.rejected)
          rejected.push(describeRejection({ ...rej, index: undefined, line: lineNo }));
      }
      if (spans.length >= chunkSpans) {
        yield { spans, rejected, bytesRead: file.bytesRead };
        spans = [];
        rejected = [];
      }
    }
  } finally {
    lines.close();
    input.destroy();
    file.destroy();
  }
  if (mode === null && lineNo > 0) {
    yield* readWhole(path, o, "JSON that is not one value per line cannot be read span by span");
    return;
  }
  if (spans.length > 0 || rejected.length > 0) yield { spans, rejected, bytesRead: file.bytesRead };
}

/** OTLP JSON requests are decoded as such; anything else on a line is a native span. */
function lineOptions(line: string): DecodeOptions {
  return /^\s*\{\s*"resource_?[sS]pans"/.test(line) ? FILE_DECODE : NATIVE_JSON;
}

function isJsonValue(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

async function* readWhole(path: string, o: SpanStreamOptions, why: string): AsyncGenerator<SpanChunk> {
  const limit = o.maxWholeFileBytes ?? MAX_WHOLE_FILE_BYTES;
  const size = (await stat(path)).size;
  if (size > limit)
    throw new TracewatchError(
      "TW_MESSAGE_TOO_LARGE",
      `${path}: ${why}, and at ${size} bytes it is over the ${limit}-byte limit for files read whole; write it as NDJSON (native spans, or OTLP JSON requests one per line) to stream it`,
    );
  const f = await readSpanFile(path);
  const chunk = Math.max(1, o.chunkSpans ?? 5_000);
  const rejected = f.rejected.map((r) => describeRejection(r));
  if (f.spans.length === 0) yield { spans: [], rejected, bytesRead: size };
  for (let i = 0; i < f.spans.length; i += chunk)
    yield { spans: f.spans.slice(i, i + chunk), rejected: i === 0 ? rejected : [], bytesRead: size };
}
