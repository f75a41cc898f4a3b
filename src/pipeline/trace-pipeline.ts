import { performance } from "node:perf_hooks";
import type { Alert } from "../core/alerts/alert.js";
import type { AlertDecision, Alerter } from "../core/alerts/alerter.js";
import type { TraceProcessor } from "../core/assembler/types.js";
import { extractFeatures } from "../core/features/extract.js";
import type { Detector } from "../core/model/detector.js";
import type { ScoredTrace } from "../domain/features.js";
import type { CompletedTrace } from "../domain/trace.js";

/** Where the pipeline's results go. Promises returned here hold the trace's acknowledgement. */
export interface PipelineOutputs {
  /** Each emitted alert; must only enqueue (sinks deliver on their own queues). */
  alert(alert: Alert, trace: CompletedTrace): void;
  /** Each scored trace (features topic, span metrics, score logs). */
  scored?(scored: ScoredTrace, trace: CompletedTrace): void | Promise<void>;
}

/** What the pipeline reports per trace; implemented by the metrics adapter. */
export interface PipelineMetrics {
  scored(seconds: number, anomalyScore: number | null): void;
  /** Each alert decision (emitted, suppressed, warming up). */
  decision?(decision: AlertDecision): void;
}

/** Options of {@link TracePipeline}. */
export interface TracePipelineOptions {
  readonly detector: Detector;
  readonly alerter: Alerter;
  readonly outputs: PipelineOutputs;
  readonly metrics?: PipelineMetrics;
}

/** One trace's verdict. */
export interface TraceVerdict {
  readonly scored: ScoredTrace;
  readonly decisions: readonly AlertDecision[];
}

/**
 * The stages after assembly, in order: features → score → training window → rules → outputs.
 * `process` is the assembler's {@link TraceProcessor}: it resolves once the trace's outputs are
 * acknowledged, which is what lets a source commit the spans' offsets.
 */
export class TracePipeline implements TraceProcessor {
  constructor(private readonly o: TracePipelineOptions) {}

  /** Features, score and alert decisions of one trace (updates cooldown state, emits nothing). */
  evaluate(trace: CompletedTrace): TraceVerdict {
    const started = performance.now();
    const { detector, alerter, metrics } = this.o;
    const features = extractFeatures(trace, { groupKey: detector.groupKey });
    const scored = detector.score(features);
    detector.observe(features, scored);
    metrics?.scored((performance.now() - started) / 1000, scored.anomaly_score);
    const decisions = alerter.process(scored, trace);
    if (metrics?.decision !== undefined) for (const d of decisions) metrics.decision(d);
    return { scored, decisions };
  }

  async process(trace: CompletedTrace): Promise<void> {
    const { scored, decisions } = this.evaluate(trace);
    for (const d of decisions) if (d.kind === "emit") this.o.outputs.alert(d.alert, trace);
    await this.o.outputs.scored?.(scored, trace);
  }
}
