import type { Alert } from "../core/alerts/alert.js";
import { TraceAssembler } from "../core/assembler/assembler.js";
import type { AssemblerStats } from "../core/assembler/types.js";
import { ManualClock } from "../core/clock.js";
import type { ScoredTrace } from "../domain/features.js";
import type { Span } from "../domain/span.js";
import type { Config } from "../config/index.js";
import { describeRejection } from "../decode/index.js";
import { TracePipeline } from "../pipeline/trace-pipeline.js";
import { assemblyLimits, buildDetectionCore, retrainSchedule, trainAndInstall } from "../service/detector.js";
import { readSpanFile } from "./files.js";

/** Options of {@link replay}. */
export interface ReplayOptions {
  readonly config: Config;
  /** Span files replayed for alerts, in event-time order across all of them. */
  readonly files: readonly string[];
  /** Span files replayed first to warm the model; they emit nothing. */
  readonly trainFiles?: readonly string[];
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
  readonly assembler: AssemblerStats;
  readonly eventStartMs: number;
  readonly eventEndMs: number;
}

const TICK_EVERY_MS = 100;

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
  const clock = new ManualClock(first === undefined ? 0 : Number(first.endTimeUnixNano / 1_000_000n));
  const core = buildDetectionCore(o.config, clock);
  const schedule = retrainSchedule(o.config);
  const counts = { traces: 0, warmUp: 0, installed: 0, refused: 0 };
  const alerts: Record<string, number> = {};
  let phase: ReplayProgress["phase"] = "train";
  const pipeline = new TracePipeline({
    detector: core.detector,
    alerter: core.alerter,
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
  const assembler = new TraceAssembler({
    clock,
    processor: pipeline,
    ...assemblyLimits(o.config),
  });
  const retrain = (): void => {
    const now = clock.now();
    const hasModel = core.detector.model !== null;
    if (!schedule.due(now, hasModel, core.window.size)) return;
    const installed = trainAndInstall(core, now);
    if (installed) counts.installed++;
    else counts.refused++;
    schedule.ran(now, installed, hasModel);
  };
  const feed = async (list: readonly Span[], p: ReplayProgress["phase"]): Promise<void> => {
    phase = p;
    let lastTick = clock.now();
    for (let i = 0; i < list.length; i++) {
      const span = list[i] as Span;
      clock.set(Number(span.endTimeUnixNano / 1_000_000n));
      assembler.add([span]);
      if (clock.now() - lastTick >= TICK_EVERY_MS) {
        lastTick = clock.now();
        assembler.tick(lastTick);
        // Let completed traces be processed and acknowledged before event time moves on, as they
        // would be live; otherwise unacknowledged traces pile up and hold the assembler at its bound.
        await assembler.whenIdle();
        retrain();
      }
      if (i % 50_000 === 0)
        o.onProgress?.({ phase: p, spans: i, totalSpans: list.length, eventTimeMs: clock.now() });
    }
    await assembler.flush();
    o.onProgress?.({ phase: p, spans: list.length, totalSpans: list.length, eventTimeMs: clock.now() });
  };
  await feed(trainSpans, "train");
  if (trainSpans.length > 0 && trainAndInstall(core, clock.now())) counts.installed++;
  await feed(spans, "replay");
  await assembler.shutdown();
  return {
    spans: spans.length,
    rejected,
    traces: counts.traces,
    warmUpTraces: counts.warmUp,
    alerts,
    retrains: { installed: counts.installed, refused: counts.refused },
    assembler: assembler.stats(),
    eventStartMs: first === undefined ? 0 : Number(first.endTimeUnixNano / 1_000_000n),
    eventEndMs: clock.now(),
  };
}
