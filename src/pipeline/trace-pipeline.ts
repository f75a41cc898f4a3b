import { performance } from "node:perf_hooks";
import type { Alert } from "../core/alerts/alert.js";
import type { AlertDecision, Alerter } from "../core/alerts/alerter.js";
import type { TraceProcessor, TraceProgress } from "../core/assembler/types.js";
import { extractFeatures } from "../core/features/extract.js";
import type { Detector } from "../core/model/detector.js";
import type { ScoredTrace } from "../domain/features.js";
import type { CompletedTrace } from "../domain/trace.js";

/**
 * Where the pipeline's results go. Both are called synchronously while the trace is processed, so
 * they never delay scoring; the promises they return hold the trace's acknowledgement (the commit
 * of its spans' offsets), never the scoring of the next traces. `trace` and its spans may be read
 * only during the call: the pipeline lets go of them while it waits.
 */
export interface PipelineOutputs {
  /**
   * Each emitted alert. Must only enqueue (sinks deliver on their own queues). The returned
   * promise, if any, resolves once every sink is done with the alert (delivered, or its dead
   * letter written) and rejects only when a sink gave up on it without keeping it: the trace is
   * then never acknowledged, so its spans are re-read after a restart.
   */
  alert(alert: Alert, trace: CompletedTrace): void | Promise<unknown>;
  /**
   * Each scored trace (features topic, span metrics, score logs). A rejected promise makes the
   * assembler process the trace again (scoring it again), once the trace's alerts are kept.
   */
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

/** Heap kept per waiting trace besides its alerts (promises, the assembler's entry), bytes. */
const WAITING_TRACE_BYTES = 512;
/**
 * Heap of one alert held until its sinks settle (the alert with its evidence, queue item,
 * settlement), bytes: 10,000 traces waiting on a dead webhook took 5.3 KiB each in all.
 */
const WAITING_ALERT_BYTES = 5_120;

/**
 * The stages after assembly, in order: features → score → training window → rules → outputs.
 * `process` is the assembler's {@link TraceProcessor}: it scores synchronously, then resolves once
 * the scored-trace output and every emitted alert's settlement on every sink have resolved, which
 * is what lets a source commit the spans' offsets (see docs/alerts.md, "Delivery guarantees").
 */
export class TracePipeline implements TraceProcessor {
  /** Alert settlements still pending per trace id, so a re-read trace waits for its first copy's. */
  private readonly unsettled = new Map<string, Promise<unknown>>();

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

  /**
   * Scores the trace and emits its outputs synchronously; the promise holds the acknowledgement.
   * Once the scored output resolved, the spans are released (`progress`) while alerts wait for
   * their sinks. If the scored output rejects, the rejection waits until the alerts are kept (a
   * retry scores the trace again, and cooldown may then suppress its alerts as repeats).
   */
  process(trace: CompletedTrace, progress?: TraceProgress): Promise<void> {
    try {
      const { scored, decisions } = this.evaluate(trace);
      const kept: Promise<unknown>[] = [];
      for (const d of decisions) {
        if (d.kind !== "emit") continue;
        const settled = this.o.outputs.alert(d.alert, trace);
        if (settled !== undefined) kept.push(settled);
      }
      const alerts = this.track(trace.traceId, kept);
      const output = this.o.outputs.scored?.(scored, trace);
      const retained = WAITING_TRACE_BYTES + kept.length * WAITING_ALERT_BYTES;
      return acknowledge(output, alerts, retained, progress);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** One promise for the trace's alerts and those of an earlier copy still waiting; null if none. */
  private track(traceId: string, kept: Promise<unknown>[]): Promise<unknown> | null {
    const earlier = this.unsettled.get(traceId);
    if (earlier !== undefined) kept.push(earlier);
    if (kept.length === 0) return null;
    const all = Promise.all(kept);
    this.unsettled.set(traceId, all);
    const forget = (): void => {
      if (this.unsettled.get(traceId) === all) this.unsettled.delete(traceId);
    };
    all.then(forget, forget);
    return all;
  }
}

/** Waits for the outputs of one trace; holds no reference to the trace itself. */
async function acknowledge(
  output: void | Promise<void>,
  alerts: Promise<unknown> | null,
  retainedBytes: number,
  progress: TraceProgress | undefined,
): Promise<void> {
  try {
    await output;
  } catch (err) {
    // The retry scores the trace again, so it waits until the alerts are kept; if one was not,
    // the trace must not be scored again (cooldown could suppress the alert): release its spans,
    // which leaves it unacknowledged for good.
    if (alerts !== null && !(await alerts.then(succeeded, failed))) {
      progress?.spansReleased(retainedBytes);
      await alerts;
    }
    throw err;
  }
  if (alerts === null) return;
  progress?.spansReleased(retainedBytes);
  await alerts;
}

const succeeded = (): boolean => true;
const failed = (): boolean => false;
