import { createWriteStream, type WriteStream } from "node:fs";
import { encodeOtlpJson } from "../../otlp/index.js";
import { describeError } from "../../errors.js";
import { drained } from "./drain.js";
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
  private readonly stream: WriteStream;
  private readonly format: FileFormat;
  private failure: string | null = null;
  private closed = false;

  constructor(options: FileSinkOptions) {
    this.format = options.format ?? "native";
    this.target = `file:${options.path}`;
    this.stream = createWriteStream(options.path, { flags: "w" });
    this.stream.on("error", (err) => {
      this.failure = `${this.target}: ${describeError(err)}`;
    });
  }

  async write(traces: readonly SimulatedTrace[]): Promise<WriteResult> {
    if (this.failure !== null) return { ok: false, error: this.failure };
    let text: string;
    if (this.format === "native") {
      text = traces.map((t) => t.spans.map(spanToNativeJsonLine).join("")).join("");
    } else {
      const body = encodeOtlpJson(traces.flatMap((t) => t.spans));
      text = `${Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8")}\n`;
    }
    if (!this.stream.write(text)) {
      await drained(this.stream);
    }
    return this.failure === null ? { ok: true } : { ok: false, error: this.failure };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.failure !== null) {
      this.stream.destroy();
      return;
    }
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }
}
