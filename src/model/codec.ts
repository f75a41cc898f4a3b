import type { ModelArtifact } from "../core/model/artifact.js";
import { MODEL_FORMAT, MODEL_FORMAT_VERSION } from "../core/model/artifact.js";
import { loadModel } from "../core/model/model.js";
import { TracewatchError, describeError } from "../errors.js";

/**
 * On-disk / on-topic encoding of a model artifact: one JSON document, typed arrays as base64 of
 * their little-endian bytes (`{"$f64": "..."}`, `{"$i32": "..."}`), so a 100-tree forest stays
 * around 0.5 MB and decodes without parsing a number per node.
 */
export function encodeArtifact(a: ModelArtifact): string {
  return JSON.stringify(a, (_key, value: unknown) => {
    if (value instanceof Float64Array) return { $f64: bytesOf(value).toString("base64") };
    if (value instanceof Int32Array) return { $i32: bytesOf(value).toString("base64") };
    return value;
  });
}

/** Decodes and validates an artifact; throws TW_MODEL_INVALID with the reason. */
export function decodeArtifact(text: string, source: string): ModelArtifact {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (_key, value: unknown) => {
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const v = value as Record<string, unknown>;
        if (typeof v["$f64"] === "string") return toTyped(v["$f64"], 8, (b) => new Float64Array(b));
        if (typeof v["$i32"] === "string") return toTyped(v["$i32"], 4, (b) => new Int32Array(b));
      }
      return value;
    });
  } catch (err) {
    throw new TracewatchError("TW_MODEL_INVALID", `model ${source}: ${describeError(err)}`, { cause: err });
  }
  const a = parsed as ModelArtifact;
  if (a?.format !== MODEL_FORMAT || a.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new TracewatchError(
      "TW_MODEL_INVALID",
      `model ${source}: not a ${MODEL_FORMAT} v${MODEL_FORMAT_VERSION} artifact`,
    );
  }
  loadModel(a);
  return a;
}

function bytesOf(a: Float64Array | Int32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function toTyped<T>(b64: string, width: number, make: (b: ArrayBuffer) => T): T {
  const bytes = Buffer.from(b64, "base64");
  if (bytes.length % width !== 0)
    throw new Error(`typed array of ${bytes.length} bytes is not a multiple of ${width}`);
  // Copy into a fresh, aligned buffer (Buffer pools are not aligned to 8).
  const ab = new ArrayBuffer(bytes.length);
  new Uint8Array(ab).set(bytes);
  return make(ab);
}
