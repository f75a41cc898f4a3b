import { mkdir, readFile, readdir, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ModelArtifact } from "../core/model/artifact.js";
import { TracewatchError, describeError } from "../errors.js";
import { decodeArtifact, encodeArtifact } from "./codec.js";

/** Options of {@link ModelStore}. */
export interface ModelStoreOptions {
  /** Root directory; artifacts go to `<dir>/<detector>/<version>.json`. Default "models/". */
  readonly dir: string;
  /** Artifacts kept per detector; older ones are deleted after a save. Default 5. */
  readonly keep?: number;
  /** Called after each save and probe: null when it wrote, else the error (readiness follows it). */
  readonly onWriteOutcome?: (err: unknown) => void;
}

const SUFFIX = ".json";
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Model artifacts on disk, one directory per detector, newest = greatest version. */
export class ModelStore {
  private readonly dir: string;
  private readonly keep: number;

  constructor(private readonly o: ModelStoreOptions) {
    this.dir = o.dir;
    this.keep = Math.max(1, o.keep ?? 5);
  }

  /** Writes an artifact atomically (temp file, then rename) and prunes old ones. Returns its path. */
  save(a: ModelArtifact): Promise<string> {
    return this.reporting(() => this.write(a));
  }

  /**
   * Checks that artifacts of `detector` can be written now: creates its directory if needed,
   * writes and removes an empty file there. Rejects with the file system's error.
   */
  probe(detector: string): Promise<void> {
    return this.reporting(async () => {
      const dir = this.detectorDir(detector);
      await mkdir(dir, { recursive: true });
      const path = join(dir, `.probe.${process.pid}.tmp`);
      await writeFile(path, "");
      await unlink(path);
    });
  }

  private async reporting<T>(write: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await write();
    } catch (err) {
      this.o.onWriteOutcome?.(err);
      throw err;
    }
    this.o.onWriteOutcome?.(null);
    return result;
  }

  private async write(a: ModelArtifact): Promise<string> {
    const dir = this.detectorDir(a.detector);
    if (!SAFE_NAME.test(a.version))
      throw new TracewatchError("TW_MODEL_INVALID", `model version ${a.version} is not a safe file name`);
    await mkdir(dir, { recursive: true });
    const path = join(dir, a.version + SUFFIX);
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, encodeArtifact(a));
    await rename(tmp, path);
    await this.prune(a.detector);
    return path;
  }

  /** Versions stored for a detector, oldest first. */
  async versions(detector: string): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.detectorDir(detector));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    return names
      .filter((n) => n.endsWith(SUFFIX))
      .map((n) => n.slice(0, -SUFFIX.length))
      .sort();
  }

  /** Loads one version; throws TW_MODEL_INVALID when it cannot be read or validated. */
  async load(detector: string, version: string): Promise<ModelArtifact> {
    const path = join(this.detectorDir(detector), version + SUFFIX);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      throw new TracewatchError("TW_MODEL_INVALID", `model ${path}: ${describeError(err)}`, { cause: err });
    }
    return decodeArtifact(text, path);
  }

  /**
   * The newest artifact that loads, or null when none is stored. Unreadable newer files are
   * skipped and reported through `onInvalid` so a corrupt file never blocks start-up.
   */
  async loadNewest(
    detector: string,
    onInvalid?: (version: string, err: unknown) => void,
  ): Promise<ModelArtifact | null> {
    const versions = await this.versions(detector);
    for (let i = versions.length - 1; i >= 0; i--) {
      const v = versions[i] as string;
      try {
        return await this.load(detector, v);
      } catch (err) {
        onInvalid?.(v, err);
      }
    }
    return null;
  }

  private async prune(detector: string): Promise<void> {
    const versions = await this.versions(detector);
    for (const v of versions.slice(0, Math.max(0, versions.length - this.keep))) {
      await unlink(join(this.detectorDir(detector), v + SUFFIX));
    }
  }

  private detectorDir(detector: string): string {
    if (!SAFE_NAME.test(detector))
      throw new TracewatchError(
        "TW_CONFIG_INVALID",
        `detector name ${detector} is not a safe directory name`,
      );
    return join(this.dir, detector);
  }
}
