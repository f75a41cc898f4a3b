import type { ModelArtifact } from "../core/model/artifact.js";
import { loadModel } from "../core/model/model.js";
import { describeWarmUp } from "../core/model/warm-up.js";
import type { Alert } from "../core/alerts/alert.js";
import type { AssemblerStats } from "../core/assembler/types.js";
import type { ScoredTrace } from "../domain/features.js";
import type { Span } from "../domain/span.js";
import type { Config } from "../config/index.js";
import { describeRejection } from "../decode/index.js";
import { EventTimeDriver } from "./driver.js";
import { readSpanFile } from "./files.js";

/** Options of {@link replay}. */
export interface ReplayOptions {
  readonly config: Config;
  /** Span files replayed for alerts, in event-time order across all of them. */
  readonly files: readonly string[];
  /** Span files replayed first to warm the model; they emit nothing. */
  readonly trainFiles?: readonly string[];
  /**
   * A model to start from, as serve starts from the newest one in its model store: traces are
   * scored by it from the first span on (retraining goes on as configured).
   */
  readonly model?: ModelArtifact;
  readonly onAlert: (alert: Alert) => void;
  /** Every trace scored in the alerting phase. */
  readonly onScored?: (scored: ScoredTrace) => void;
  /** Called about every 50,000 spans and at the end. */
  readonly onProgress?: (p: ReplayProgress) => void;
}

export interface ReplayProgress {
  readonly phase: "train" | "replay";
  readonly spans: number;
  readonly totalSpans: number;
  readonly eventTimeMs: number;
}

/** What a replay did. */
export interface ReplaySummary {
  readonly spans: number;
  /** Parts of the files that could not be read (with their reasons). */
  readonly rejected: readonly string[];
  readonly traces: number;
  readonly warmUpTraces: number;
  readonly alerts: Readonly<Record<string, number>>;
  readonly retrains: { readonly installed: number; readonly refused: number };
  /**
   * Why no model scored the replay when none was trained: "no model: 412 of 500 samples after
   * 4,120 traces" (too few samples for training.min_samples); null when a model was trained.
   */
  readonly noModel: string | null;
  readonly assembler: AssemblerStats;
  readonly eventStartMs: number;
  readonly eventEndMs: number;
}

/** Loads files and sorts their spans by end time: a span reaches a collector when it ends. */
async function loadSpans(files: readonly string[], rejected: string[]): Promise<Span[]> {
  const spans: Span[] = [];
  for (const file of files) {
    const f = await readSpanFile(file);
    for (const r of f.rejected) rejected.push(`${file}: ${r.code}: ${describeRejection(r)}`);
    for (const s of f.spans) spans.push(s);
  }
  return spans.sort((a, b) =>
    a.endTimeUnixNano < b.endTimeUnixNano ? -1 : a.endTimeUnixNano > b.endTimeUnixNano ? 1 : 0,
  );
}

/**
 * Feeds recorded spans through the service's own pipeline (assembler, features, model, rules) on
 * event time: the clock follows span end times, so traces complete, the window ages and the
 * model retrains exactly as they would live, only faster.
 */
export async function replay(o: ReplayOptions): Promise<ReplaySummary> {
  const rejected: string[] = [];
  const trainSpans = await loadSpans(o.trainFiles ?? [], rejected);
  const spans = await loadSpans(o.files, rejected);
  const first = trainSpans[0] ?? spans[0];
  const startMs = first === undefined ? 0 : Number(first.endTimeUnixNano / 1_000_000n);
  const counts = { traces: 0, warmUp: 0 };
  const alerts: Record<string, number> = {};
  let phase: ReplayProgress["phase"] = "train";
  const driver = new EventTimeDriver({
    config: o.config,
    startMs,
    outputs: {
      alert(alert) {
        if (phase === "train") return;
        alerts[alert.type] = (alerts[alert.type] ?? 0) + 1;
        o.onAlert(alert);
      },
      scored(scored) {
        if (phase === "train") return;
        counts.traces++;
        if (scored.anomaly_score === null) counts.warmUp++;
        o.onScored?.(scored);
      },
    },
  });
  const feed = async (list: readonly Span[], p: ReplayProgress["phase"]): Promise<void> => {
    phase = p;
    await driver.feed(list, (i) => {
      if (i % 50_000 === 0)
        o.onProgress?.({ phase: p, spans: i, totalSpans: list.length, eventTimeMs: driver.clock.now() });
    });
    await driver.flush();
    o.onProgress?.({
      phase: p,
      spans: list.length,
      totalSpans: list.length,
      eventTimeMs: driver.clock.now(),
    });
  };
  if (o.model !== undefined) driver.core.detector.install(loadModel(o.model));
  await feed(trainSpans, "train");
  if (trainSpans.length > 0) driver.trainNow();
  await feed(spans, "replay");
  await driver.shutdown();
  return {
    spans: spans.length,
    rejected,
    traces: counts.traces,
    warmUpTraces: counts.warmUp,
    alerts,
    retrains: driver.retrains,
    noModel:
      driver.core.detector.model === null ? `no model: ${describeWarmUp(driver.core.window.warmUp())}` : null,
    assembler: driver.assemblerStats(),
    eventStartMs: startMs,
    eventEndMs: driver.clock.now(),
  };
}
