import { encodeOtlpJson } from "../../otlp/index.js";
import { TextFile } from "./text-file.js";
import type { SimulatedTrace } from "../simulator.js";
import { spanToNativeJsonLine } from "./native.js";
import type { TraceSink, WriteResult } from "./sink.js";

/** File encodings: native span NDJSON (one span a line) or OTLP JSON (one request a line). */
export type FileFormat = "native" | "otlp_json";

/** Options of a {@link FileTraceSink}. */
export interface FileSinkOptions {
  readonly path: string;
  /** Default "native". */
  readonly format?: FileFormat;
}

/** Appends simulated traces to a file (created or truncated at open). */
export class FileTraceSink implements TraceSink {
  readonly target: string;
  private readonly file: TextFile;
  private readonly format: FileFormat;

  constructor(options: FileSinkOptions) {
    this.format = options.format ?? "native";
    this.target = `file:${options.path}`;
    this.file = new TextFile(options.path, this.target);
  }

  async write(traces: readonly SimulatedTrace[]): Promise<WriteResult> {
    let text: string;
    if (this.format === "native") {
      text = traces.map((t) => t.spans.map(spanToNativeJsonLine).join("")).join("");
    } else {
      const body = encodeOtlpJson(traces.flatMap((t) => t.spans));
      text = `${Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8")}\n`;
    }
    const failure = await this.file.append(text);
    return failure === null ? { ok: true } : { ok: false, error: failure };
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
