import { performance } from "node:perf_hooks";
import type { Alert } from "../alerts/alert.js";
import type { AlertDecision, Alerter } from "../alerts/alerter.js";
import { noopLogger, type CoreLogger, type TraceProcessor, type TraceProgress } from "../assembler/types.js";
import { extractTrace, type GraphRepairs } from "../features/extract.js";
import { SpanProfiler } from "../features/span-profile.js";
import type { Detector } from "../model/detector.js";
import type { ScoredTrace } from "../../domain/features.js";
import type { CompletedTrace } from "../../domain/trace.js";
import { describeError, TracewatchError } from "../../errors.js";

/** The stages after assembly, as named in failures: `outputs` are the alert and scored outputs' calls. */
export type PipelineStage = "features" | "score" | "rules" | "outputs";

/** One trace's processing threw: where, and the `TW_TRACE_FAILED` error (its `cause` is the exception). */
export interface TraceFailure {
  readonly stage: PipelineStage;
  readonly error: TracewatchError;
}

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
  scored?(
    scored: ScoredTrace,
    trace: CompletedTrace,
    parentOf?: ParentLinks,
    spanNs?: SpanDurations,
  ): void | Promise<void>;
  /**
   * A trace whose processing threw (a bug, or input nothing else caught): keep its spans with the
   * error (the dead-letter topic). The trace is acknowledged once the returned promise resolves;
   * a rejection makes the assembler process it again later. Without it the trace is only counted
   * and logged, then acknowledged.
   */
  failed?(failure: TraceFailure, trace: CompletedTrace): void | Promise<unknown>;
  /**
   * Every trace's verdict, before its alerts are emitted: the scored trace and every alert
   * decision (emitted, suppressed, warming up). For evaluation, which scores decisions against
   * labels; must not throw.
   */
  decided?(verdict: TraceVerdict, trace: CompletedTrace): void;
}

/**
 * Each span's parent as scoring linked them: entry i is the index in the trace's spans of span i's
 * parent, -1 when it has none in the trace (a root, or a parent id not in the trace). Given to the
 * scored output only for a trace whose graph needed no repair (no repeated span id, no parent
 * cycle), so that it is exactly the trace's parent-id links; read it during the call only.
 */
export type ParentLinks = Readonly<Int32Array>;

/**
 * Each span's duration (end − start, ns) as feature extraction computed it, given with
 * {@link ParentLinks}: `spanNs[i] / 1e6` is `spanDurationMs(trace.spans[i])`, bit for bit. Valid
 * during the output's call only, like the links.
 */
export type SpanDurations = Readonly<Float64Array>;

/** What the pipeline reports per trace; implemented by the metrics adapter. */
export interface PipelineMetrics {
  scored(seconds: number, anomalyScore: number | null): void;
  /** Each alert decision (emitted, suppressed, warming up). */
  decision?(decision: AlertDecision): void;
  /** A trace whose processing threw in `stage` (it is dead-lettered, not retried). */
  failed?(stage: PipelineStage): void;
  /** A trace whose parent graph needed repair (duplicate span ids ignored, parent cycles cut). */
  repaired?(repairs: GraphRepairs): void;
}

/** Options of {@link TracePipeline}. */
export interface TracePipelineOptions {
  readonly detector: Detector;
  readonly alerter: Alerter;
  readonly outputs: PipelineOutputs;
  readonly metrics?: PipelineMetrics;
  /** Failed and repaired traces are logged here, the first and then every hundredth with a count. */
  readonly logger?: CoreLogger;
}

/** One trace's verdict. */
export interface TraceVerdict {
  readonly scored: ScoredTrace;
  readonly decisions: readonly AlertDecision[];
  /**
   * The trace's parent links when its graph needed no repair (see {@link ParentLinks}); they
   * live in the pipeline's reused arrays, valid until the next trace is evaluated.
   */
  readonly parentOf?: ParentLinks;
  /** The spans' durations when `parentOf` is given (see {@link SpanDurations}); same lifetime. */
  readonly spanNs?: SpanDurations;
}

/** Heap kept per waiting trace besides its alerts (promises, the assembler's entry), bytes. */
const WAITING_TRACE_BYTES = 512;
/**
 * Heap of one alert held until its sinks settle (the alert with its evidence, queue item,
 * settlement), bytes: 10,000 traces waiting on a dead webhook took 5.3 KiB each in all.
 */
const WAITING_ALERT_BYTES = 5_120;
/** Failed or repaired traces per log line after the first. */
const LOG_EVERY = 100;
/** What `process` returns for a trace with nothing to wait for. */
const SETTLED: Promise<void> = Promise.resolve();

/**
 * The stages after assembly, in order: features → score → rules → training window → outputs.
 * `process` is the assembler's {@link TraceProcessor}: it scores synchronously, then resolves once
 * the scored-trace output and every emitted alert's settlement on every sink have resolved, which
 * is what lets a source commit the spans' offsets (see docs/alerts.md, "Delivery guarantees").
 */
export class TracePipeline implements TraceProcessor {
  /** Alert settlements still pending per trace id, so a re-read trace waits for its first copy's. */
  private readonly unsettled = new Map<string, Promise<unknown>>();
  /** Traces whose processing threw, and traces whose parent graph was repaired, since start. */
  private failures = 0;
  private repairs = 0;
  /** Span profiles are built into reused arrays: each is scored and learned from within evaluate. */
  private readonly profiler = new SpanProfiler();

  /** Views of the profiler's parent links and span durations handed to the outputs. */
  private readonly links = new PrefixViews<Int32Array>();
  private readonly durations = new PrefixViews<Float64Array>();

  constructor(private readonly o: TracePipelineOptions) {}

  /**
   * Features, score and alert decisions of one trace (updates cooldown state, emits nothing).
   * Throws a `TW_TRACE_FAILED` {@link TracewatchError} naming the stage when a stage throws.
   */
  evaluate(trace: CompletedTrace): TraceVerdict {
    let stage: PipelineStage = "features";
    try {
      const { detector, alerter, metrics } = this.o;
      // The clock is read only for the metrics (a call into the runtime per read).
      const started = metrics === undefined ? 0 : performance.now();
      const { features, repairs, profile } = extractTrace(trace, {
        groupKey: detector.groupKey,
        profile: this.profiler,
      });
      if (repairs.duplicateSpans > 0 || repairs.parentCycles > 0) this.repaired(trace, repairs);
      stage = "score";
      const scored = detector.score(features, profile);
      metrics?.scored((performance.now() - started) / 1000, scored.anomaly_score);
      stage = "rules";
      const decisions = alerter.process(scored, trace);
      // The training window learns the trace once the rules have judged it: the flagged traces no
      // rule matched are kept as their type's normal tail (OperationWindow.observe).
      stage = "score";
      detector.observe(features, scored, profile, alertedBy(decisions));
      if (metrics?.decision !== undefined) for (const d of decisions) metrics.decision(d);
      const repaired = repairs.duplicateSpans > 0 || repairs.parentCycles > 0;
      return profile === undefined || repaired
        ? { scored, decisions }
        : {
            scored,
            decisions,
            parentOf: this.links.of(profile.parent, profile.n),
            spanNs: this.durations.of(this.profiler.durationsNs(profile.n), profile.n),
          };
    } catch (err) {
      throw stageError(stage, err);
    }
  }

  /**
   * Scores the trace and emits its outputs synchronously; the promise holds the acknowledgement.
   * Once the scored output resolved, the spans are released (`progress`) while alerts wait for
   * their sinks. If the scored output rejects, the rejection waits until the alerts are kept (a
   * retry scores the trace again, and cooldown may then suppress its alerts as repeats). A stage
   * that throws fails only this trace: it goes to the `failed` output, and the promise resolves
   * once that output (and any alert already emitted) is kept.
   */
  process(trace: CompletedTrace, progress?: TraceProgress): Promise<void> {
    let verdict: TraceVerdict;
    try {
      verdict = this.evaluate(trace);
    } catch (err) {
      return this.isolate(trace, err as TracewatchError, []);
    }
    const kept: Promise<unknown>[] = [];
    let output: void | Promise<void>;
    try {
      this.o.outputs.decided?.(verdict, trace);
      for (const d of verdict.decisions) {
        if (d.kind !== "emit") continue;
        const settled = this.o.outputs.alert(d.alert, trace);
        if (settled !== undefined) kept.push(settled);
      }
      output = this.o.outputs.scored?.(verdict.scored, trace, verdict.parentOf, verdict.spanNs);
    } catch (err) {
      return this.isolate(trace, stageError("outputs", err), kept);
    }
    const alerts = this.track(trace.traceId, kept);
    // Most traces wait for nothing: one settled promise serves them all.
    if (alerts === null && output === undefined) return SETTLED;
    const retained = WAITING_TRACE_BYTES + kept.length * WAITING_ALERT_BYTES;
    return acknowledge(output, alerts, retained, progress);
  }

  /** Counts, logs and hands a failed trace to the `failed` output; resolves once it (and `kept`) is kept. */
  private isolate(trace: CompletedTrace, error: TracewatchError, kept: Promise<unknown>[]): Promise<void> {
    const stage = error.details?.["stage"] as PipelineStage;
    this.failures++;
    this.o.metrics?.failed?.(stage);
    if (this.failures === 1 || this.failures % LOG_EVERY === 0) {
      (this.o.logger ?? noopLogger).error(
        { traceId: trace.traceId, stage, failures: this.failures, err: describeError(error) },
        "trace processing failed; dead-lettering the trace",
      );
    }
    try {
      const written = this.o.outputs.failed?.({ stage, error }, trace);
      return Promise.all([written, ...kept]).then(() => undefined);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private repaired(trace: CompletedTrace, repairs: GraphRepairs): void {
    this.repairs++;
    this.o.metrics?.repaired?.(repairs);
    if (this.repairs === 1 || this.repairs % LOG_EVERY === 0) {
      (this.o.logger ?? noopLogger).warn(
        { traceId: trace.traceId, ...repairs, repairedTraces: this.repairs },
        "trace with duplicate span ids or parent cycles: repaired before scoring",
      );
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

/** The `TW_TRACE_FAILED` error for an exception thrown in `stage`. */
function stageError(stage: PipelineStage, err: unknown): TracewatchError {
  return new TracewatchError("TW_TRACE_FAILED", `${stage}: ${describeError(err)}`, {
    cause: err,
    details: { stage },
  });
}

const succeeded = (): boolean => true;
const failed = (): boolean => false;

/**
 * Views of the first n entries of one of the profiler's reused arrays, one kept per n: the array is
 * written again by the next trace, which is why outputs read them during their call only.
 */
class PrefixViews<A extends Int32Array | Float64Array> {
  private views: A[] = [];
  private source: A | null = null;

  /** The first `n` entries of `array` (views of an earlier array are dropped when it changes). */
  of(array: A, n: number): A {
    if (array !== this.source) {
      this.source = array;
      this.views = [];
    }
    return (this.views[n] ??= array.subarray(0, n) as A);
  }
}

/** Whether a rule matched the trace: an alert emitted, or suppressed by cooldown or severity. */
function alertedBy(decisions: readonly AlertDecision[]): boolean {
  for (const d of decisions) if (d.kind === "emit" || d.kind === "suppressed") return true;
  return false;
}
