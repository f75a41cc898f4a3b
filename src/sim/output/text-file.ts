import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { describeError } from "../../errors.js";

/**
 * A text file written in chunks (created or truncated at open). A write error is kept, not
 * thrown: every later `append` answers it, and `close` then discards the stream.
 */
export class TextFile {
  private readonly stream: WriteStream;
  private failure: string | null = null;
  private closed = false;

  /** @param label names the file in error messages, e.g. `file:/tmp/x` */
  constructor(path: string, label: string) {
    this.stream = createWriteStream(path, { flags: "w" });
    this.stream.on("error", (err) => {
      this.failure = `${label}: ${describeError(err)}`;
    });
  }

  /** Appends `text`, waiting for the stream to drain when its buffer is full; the error, if any. */
  async append(text: string): Promise<string | null> {
    if (this.failure !== null) return this.failure;
    // A write error ends the wait too (once() rejects with it); the error listener keeps it.
    if (!this.stream.write(text)) await once(this.stream, "drain").catch(() => undefined);
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
