import { stat } from "node:fs/promises";
import type { Clock } from "../core/clock.js";
import type { ModelArtifact } from "../core/model/artifact.js";
import type { TrainResult } from "../core/model/trainer.js";
import type { Config } from "../config/index.js";
import type { Span } from "../domain/span.js";
import type { ModelStore } from "../model/store.js";
import { EventTimeDriver } from "../replay/driver.js";
import { MinHeap } from "../sim/min-heap.js";
import { streamSpanFile, type SpanStreamOptions } from "../replay/stream.js";
import { trainOnWindow } from "../service/detector.js";

/** Progress of a retrain job over span files. */
export interface SpanRetrainProgress {
  readonly phase: "reading" | "training" | "saving" | "done";
  readonly spans: number;
  /** Traces assembled and fed to the training window. */
  readonly traces: number;
  readonly windowSamples: number;
  readonly bytesRead: number;
  readonly totalBytes: number;
  /** Wall-clock ms since the job started. */
  readonly elapsedMs: number;
  /** Estimated wall-clock ms until the files are read (from bytes read so far); null if unknown. */
  readonly etaMs: number | null;
}

/** Options of {@link retrainFromSpanFiles}. */
export interface SpanRetrainOptions {
  readonly config: Config;
  readonly files: readonly string[];
  /** Wall clock: the model's `trainedAtMs` and version, progress timing. */
  readonly clock: Clock;
  readonly store?: ModelStore;
  readonly publish?: (a: ModelArtifact) => Promise<void>;
  readonly onProgress?: (p: SpanRetrainProgress) => void;
  /** Wall-clock ms between "reading" progress reports. Default 5,000. */
  readonly progressEveryMs?: number;
  readonly stream?: SpanStreamOptions;
  /**
   * Spans buffered to put the input in end-time order (a span reaches a collector when it ends):
   * files out of order by less than this many spans are fed in order. Default 10,000.
   */
  readonly reorderSpans?: number;
  /**
   * Called after about every {@link GC_EVERY_BYTES} of input read (the CLI passes a full garbage
   * collection): the job's live set is small, but the heap otherwise grows well beyond it
   * between collections, and that, not the data, sets the process's peak memory.
   */
  readonly collectGarbage?: () => void;
}

/** Input read between two calls of {@link SpanRetrainOptions.collectGarbage}: 8 MiB (a collection of the job's live set takes tens of ms). */
export const GC_EVERY_BYTES = 8 * 1024 * 1024;

/** What a retrain job over span files did. */
export interface SpanRetrainResult {
  readonly result: TrainResult;
  readonly spans: number;
  readonly traces: number;
  /** Parts of the files that could not be read, as `file: line N: reason`. */
  readonly rejected: readonly string[];
  /** Event time range of the spans read; null when none was. */
  readonly data: { readonly fromMs: number; readonly toMs: number } | null;
  readonly path: string | null;
}

const DEFAULT_REORDER_SPANS = 10_000;

/** Rejections kept for the result; further ones are counted only. */
const MAX_REJECTIONS = 1_000;

/**
 * `tracewatch retrain` from span files: streams the files through the service's own pipeline on
 * event time (assembly, features, scoring, the training window and its hold-back policy, retrains
 * on serve's schedule so that later traces are scored as serve would score them), then trains on
 * the window as serve would at the end of the data. Memory is bounded by the window, the
 * assembler's limits and a read chunk, not by the files. The model is stamped with wall-clock
 * time; the data's event time range is recorded beside it (`data`).
 */
export async function retrainFromSpanFiles(o: SpanRetrainOptions): Promise<SpanRetrainResult> {
  const started = o.clock.now();
  const sizes = await Promise.all(o.files.map(async (f) => (await stat(f)).size));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const every = o.progressEveryMs ?? 5_000;
  const rejected: string[] = [];
  let rejectedCount = 0;
  let spans = 0;
  let traces = 0;
  let bytesDone = 0;
  let bytesRead = 0;
  let collectedAt = 0;
  let fromMs = Number.POSITIVE_INFINITY;
  let toMs = Number.NEGATIVE_INFINITY;
  let driver = null as EventTimeDriver | null;
  let lastReport = started;
  const report = (phase: SpanRetrainProgress["phase"]): void => {
    const now = o.clock.now();
    lastReport = now;
    const elapsedMs = now - started;
    const rate = bytesRead / Math.max(1, elapsedMs);
    o.onProgress?.({
      phase,
      spans,
      traces,
      windowSamples: driver?.core.window.size ?? 0,
      bytesRead,
      totalBytes,
      elapsedMs,
      etaMs: bytesRead > 0 && rate > 0 ? Math.max(0, (totalBytes - bytesRead) / rate) : null,
    });
  };
  const heap = new MinHeap<Span>((a, b) => a.endTimeUnixNano < b.endTimeUnixNano);
  const reorder = Math.max(0, o.reorderSpans ?? DEFAULT_REORDER_SPANS);
  /** Feeds the earliest-ending spans until at most `keep` are buffered. */
  const drain = async (keep: number): Promise<void> => {
    if (heap.size <= keep) return;
    const out: Span[] = [];
    while (heap.size > keep) out.push(heap.pop() as Span);
    driver ??= new EventTimeDriver({
      config: o.config,
      startMs: Number((out[0] as Span).endTimeUnixNano / 1_000_000n),
      outputs: {
        alert: () => undefined,
        scored: () => {
          traces++;
        },
      },
    });
    await driver.feed(out);
  };
  for (const [i, file] of o.files.entries()) {
    for await (const chunk of streamSpanFile(file, o.stream)) {
      for (const r of chunk.rejected) if (rejectedCount++ < MAX_REJECTIONS) rejected.push(`${file}: ${r}`);
      for (const s of chunk.spans) {
        const start = Number(s.startTimeUnixNano / 1_000_000n);
        const end = Number(s.endTimeUnixNano / 1_000_000n);
        if (start < fromMs) fromMs = start;
        if (end > toMs) toMs = end;
        heap.push(s);
      }
      await drain(reorder);
      spans += chunk.spans.length;
      bytesRead = bytesDone + chunk.bytesRead;
      if (o.collectGarbage !== undefined && bytesRead - collectedAt >= GC_EVERY_BYTES) {
        collectedAt = bytesRead;
        o.collectGarbage();
      }
      if (o.clock.now() - lastReport >= every) report("reading");
    }
    bytesDone += sizes[i] as number;
    bytesRead = bytesDone;
  }
  await drain(0);
  await driver?.flush();
  report("training");
  const data = spans > 0 ? { fromMs, toMs } : null;
  let result: TrainResult =
    driver === null
      ? { ok: false, reason: "too_few_samples", detail: "no spans were read" }
      : trainOnWindow(driver.core, o.clock.now());
  await driver?.shutdown();
  let path: string | null = null;
  if (result.ok) {
    if (data !== null) result = { ...result, artifact: { ...result.artifact, data } };
    report("saving");
    if (o.store !== undefined) path = await o.store.save(result.artifact);
    if (o.publish !== undefined) await o.publish(result.artifact);
  }
  report("done");
  if (rejectedCount > MAX_REJECTIONS) rejected.push(`… and ${rejectedCount - MAX_REJECTIONS} more`);
  return { result, spans, traces, rejected, data, path };
}
