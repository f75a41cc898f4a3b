import { TextFile } from "./text-file.js";
import type { TraceLabel } from "../labels.js";
import { labelToNdjson } from "../labels.js";

/** Writes the labels side file: NDJSON, one line per trace, in the order traces were written. */
export class LabelsFile {
  private readonly file: TextFile;

  constructor(readonly path: string) {
    this.file = new TextFile(path, `labels file ${path}`);
  }

  /** Appends labels; resolves to an error message if the file cannot be written. */
  write(labels: readonly TraceLabel[]): Promise<string | null> {
    return this.file.append(labels.map(labelToNdjson).join(""));
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
