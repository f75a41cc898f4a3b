import { createWriteStream, type WriteStream } from "node:fs";
import { describeError } from "../../errors.js";
import { drained } from "./drain.js";
import type { TraceLabel } from "../labels.js";
import { labelToNdjson } from "../labels.js";

/** Writes the labels side file: NDJSON, one line per trace, in the order traces were written. */
export class LabelsFile {
  private readonly stream: WriteStream;
  private failure: string | null = null;
  private closed = false;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { flags: "w" });
    this.stream.on("error", (err) => {
      this.failure = `labels file ${path}: ${describeError(err)}`;
    });
  }

  /** Appends labels; resolves to an error message if the file cannot be written. */
  async write(labels: readonly TraceLabel[]): Promise<string | null> {
    if (this.failure !== null) return this.failure;
    if (!this.stream.write(labels.map(labelToNdjson).join(""))) {
      await drained(this.stream);
    }
    return this.failure;
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
