import type { Alerter } from "../alerts/alerter.js";
import { TraceAssembler, type AddResult } from "../assembler/assembler.js";
import type {
  AckToken,
  AssemblerMetrics,
  AssemblerStats,
  CoreLogger,
  TraceAssemblerOptions,
} from "../assembler/types.js";
import type { Clock } from "../clock.js";
import { noopLogger } from "../logger.js";
import { describeError } from "../../errors.js";
import type { Detector } from "../model/detector.js";
import type { Span } from "../../domain/span.js";
import { RetrainSchedule, type RetrainScheduleOptions } from "./retrain-schedule.js";
import { TracePipeline, type PipelineMetrics, type PipelineOutputs } from "./trace-pipeline.js";

/** What a training run did: a model installed, refused by its sanity checks, or not run (busy, shut down). */
export type TrainStatus = "installed" | "refused" | "skipped";

/**
 * Trains a model on the detector's window at `nowMs` and installs it when it passes. Injected:
 * the service trains in a worker thread (a promise), replay and evaluation on the calling thread
 * (a plain value, so the next trace is scored with the new model, as deterministic as event time).
 */
export interface PipelineTrainer {
  train(nowMs: number): TrainStatus | Promise<TrainStatus>;
}

/** The assembler's limits (`spec.assembly`); defaults are the assembler's. */
export type AssemblyLimits = Pick<
  TraceAssemblerOptions,
  | "decisionWaitMs"
  | "rootGraceMs"
  | "reopenWindowMs"
  | "maxTraces"
  | "maxSpansPerTrace"
  | "maxBytes"
  | "sharedBytes"
>;

/** Options of {@link DetectionPipeline}. */
export interface DetectionPipelineOptions {
  /** Wall time live, event time in replay and evaluation. */
  readonly clock: Clock;
  readonly detector: Detector;
  readonly alerter: Alerter;
  /** The training window's sample count (what the first model's minimum is checked against). */
  readonly window: { readonly size: number };
  readonly trainer: PipelineTrainer;
  /** When to retrain (`spec.training`). */
  readonly schedule: RetrainScheduleOptions;
  /**
   * Whether the schedule runs before the first {@link DetectionPipeline.trainNow} call. Default
   * true; evaluation sets false to train its first model at a chosen event time.
   */
  readonly scheduleBeforeFirstTrain?: boolean;
  /**
   * Told the outcome of every training run, scheduled or `trainNow`, with the time it ran at
   * (evaluation records the installed model after each).
   */
  readonly onTrained?: (status: TrainStatus, atMs: number) => void;
  readonly limits?: AssemblyLimits;
  readonly outputs: PipelineOutputs;
  readonly metrics?: { readonly pipeline?: PipelineMetrics; readonly assembler?: AssemblerMetrics };
  /** `assembler` and `pipeline` (failed and repaired traces) loggers. */
  readonly logger?: { readonly assembler?: CoreLogger; readonly pipeline?: CoreLogger };
}

/** Counts since start. */
export interface DetectionPipelineStats {
  readonly assembler: AssemblerStats;
  readonly retrains: { readonly installed: number; readonly refused: number; readonly skipped: number };
}

/**
 * What a span source needs from the pipeline: it adds spans (with their acknowledgement tokens),
 * is held back by back-pressure, and on a rebalance drops the traces it will read again.
 */
export interface SpanIntake {
  add(spans: readonly Span[], token?: AckToken): AddResult;
  tick(nowMs?: number): void;
  isOverHighWater(): boolean;
  onPressureChange(listener: (over: boolean) => void): void;
  dropOpen(options?: { onlyHeld?: boolean }): number;
  stats(): AssemblerStats;
}

/**
 * The one detection chain: assembly → features → score (forest and baselines) → training window →
 * rules → outputs, and the retrain schedule. `serve`, `replay`, `eval` and `bench` all build it
 * (through `createDetectionPipeline`), so what is evaluated is what is served. Pure: time comes
 * from the clock and from `tick(now)`, called by the one scheduler of its host (a timer live, span
 * event time in replay); results leave through `outputs`; training through the injected trainer.
 * The assembler's acknowledgement semantics (see `AckToken`, `TraceProcessor`) are unchanged.
 */
export class DetectionPipeline implements SpanIntake {
  private readonly assembler: TraceAssembler;
  private readonly schedule: RetrainSchedule;
  private readonly retrains = { installed: 0, refused: 0, skipped: 0 };
  private scheduling: boolean;
  private training = false;

  constructor(private readonly o: DetectionPipelineOptions) {
    this.scheduling = o.scheduleBeforeFirstTrain ?? true;
    this.schedule = new RetrainSchedule(o.schedule);
    const traces = new TracePipeline({
      detector: o.detector,
      alerter: o.alerter,
      outputs: o.outputs,
      ...(o.metrics?.pipeline === undefined ? {} : { metrics: o.metrics.pipeline }),
      ...(o.logger?.pipeline === undefined ? {} : { logger: o.logger.pipeline }),
    });
    this.assembler = new TraceAssembler({
      clock: o.clock,
      processor: traces,
      ...o.limits,
      ...(o.metrics?.assembler === undefined ? {} : { metrics: o.metrics.assembler }),
      ...(o.logger?.assembler === undefined ? {} : { logger: o.logger.assembler }),
    });
  }

  /** Adds spans; `token` is held until every trace taking spans from it is processed and acknowledged. */
  add(spans: readonly Span[], token?: AckToken): AddResult {
    return this.assembler.add(spans, token);
  }

  /** Completes the traces due at `nowMs` (default: the clock), then starts a retrain if one is due. */
  tick(nowMs: number = this.o.clock.now()): void {
    this.assembler.tick(nowMs);
    if (this.scheduling) this.retrainIfDue(nowMs);
  }

  /**
   * Trains now (replay's `--train` files, evaluation's warm-up end) and lets the schedule count
   * from here; the schedule runs from then on.
   */
  trainNow(): TrainStatus | Promise<TrainStatus> {
    this.scheduling = true;
    return this.run(this.o.clock.now());
  }

  /** Completes every open trace and resolves when all processing is acknowledged. */
  flush(): Promise<void> {
    return this.assembler.flush();
  }

  /** Resolves when no completed trace awaits acknowledgement. */
  whenIdle(): Promise<void> {
    return this.assembler.whenIdle();
  }

  /** Flushes and refuses further spans. Idempotent. The trainer is its host's to shut down. */
  shutdown(): Promise<void> {
    return this.assembler.shutdown();
  }

  isOverHighWater(): boolean {
    return this.assembler.isOverHighWater();
  }

  onPressureChange(listener: (over: boolean) => void): void {
    this.assembler.onPressureChange(listener);
  }

  /** Discards open traces (a rebalance: the source re-reads them); see `TraceAssembler.dropOpen`. */
  dropOpen(options: { onlyHeld?: boolean } = {}): number {
    return this.assembler.dropOpen(options);
  }

  stats(): AssemblerStats {
    return this.assembler.stats();
  }

  /** Assembly and retraining counts since start. */
  pipelineStats(): DetectionPipelineStats {
    return { assembler: this.assembler.stats(), retrains: { ...this.retrains } };
  }

  private retrainIfDue(nowMs: number): void {
    if (this.training) return;
    const hasModel = this.o.detector.model !== null;
    if (!this.schedule.due(nowMs, hasModel, this.o.window.size)) return;
    const r = this.run(nowMs);
    if (typeof r !== "string")
      r.catch((err: unknown) =>
        (this.o.logger?.pipeline ?? noopLogger).error({ err: describeError(err) }, "retrain failed"),
      );
  }

  private run(nowMs: number): TrainStatus | Promise<TrainStatus> {
    const hadModel = this.o.detector.model !== null;
    const done = (status: TrainStatus): TrainStatus => {
      this.training = false;
      this.retrains[status]++;
      // A worker's run ends later: the next period counts from its end.
      this.schedule.ran(Math.max(nowMs, this.o.clock.now()), status === "installed", hadModel);
      this.o.onTrained?.(status, nowMs);
      return status;
    };
    this.training = true;
    const r = this.o.trainer.train(nowMs);
    if (typeof r === "string") return done(r);
    return r.then(done, (err: unknown) => {
      this.training = false;
      throw err;
    });
  }
}
