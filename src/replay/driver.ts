import { TraceAssembler } from "../core/assembler/assembler.js";
import type { AssemblerStats } from "../core/assembler/types.js";
import { ManualClock } from "../core/clock.js";
import type { Config } from "../config/index.js";
import type { Span } from "../domain/span.js";
import type { RetrainSchedule } from "../pipeline/retrain-schedule.js";
import { TracePipeline, type PipelineOutputs } from "../pipeline/trace-pipeline.js";
import {
  assemblyLimits,
  buildDetectionCore,
  retrainSchedule,
  trainAndInstall,
  type DetectionCore,
} from "../service/detector.js";

const TICK_EVERY_MS = 100;

/** Options of {@link EventTimeDriver}. */
export interface EventTimeDriverOptions {
  readonly config: Config;
  /** Event time the clock starts at, Unix ms. */
  readonly startMs: number;
  /** Where scored traces and alerts go (the pipeline's outputs). */
  readonly outputs: PipelineOutputs;
}

/**
 * The service's own pipeline (assembler, features, score, training window with its hold-back
 * policy, rules, scheduled retraining) driven on event time: the clock follows span end times
 * (the latest seen), so traces complete, the window ages and the model retrains as they would
 * live, only faster. Replay and the retrain job both feed spans through it.
 */
export class EventTimeDriver {
  readonly clock: ManualClock;
  readonly core: DetectionCore;
  private readonly assembler: TraceAssembler;
  private readonly schedule: RetrainSchedule;
  private lastTick: number;
  private installed = 0;
  private refused = 0;

  constructor(o: EventTimeDriverOptions) {
    this.clock = new ManualClock(o.startMs);
    this.lastTick = o.startMs;
    this.core = buildDetectionCore(o.config, this.clock);
    this.schedule = retrainSchedule(o.config);
    const pipeline = new TracePipeline({
      detector: this.core.detector,
      alerter: this.core.alerter,
      outputs: o.outputs,
    });
    this.assembler = new TraceAssembler({
      clock: this.clock,
      processor: pipeline,
      ...assemblyLimits(o.config),
    });
  }

  /**
   * Feeds spans in their order; event time moves to each span's end when that is later.
   * `onSpan(i)` is called after each span (progress).
   */
  async feed(spans: readonly Span[], onSpan?: (i: number) => void): Promise<void> {
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i] as Span;
      this.clock.set(Number(span.endTimeUnixNano / 1_000_000n));
      this.assembler.add([span]);
      if (this.clock.now() - this.lastTick >= TICK_EVERY_MS) {
        this.lastTick = this.clock.now();
        this.assembler.tick(this.lastTick);
        // Let completed traces be processed and acknowledged before event time moves on, as they
        // would be live; otherwise unacknowledged traces pile up and hold the assembler at its bound.
        await this.assembler.whenIdle();
        this.retrainIfDue();
      }
      onSpan?.(i);
    }
  }

  /** Completes every open trace (end of input). */
  flush(): Promise<void> {
    return this.assembler.flush();
  }

  /** Trains now on the window (hold-back policy applied) and installs the model if it passes. */
  trainNow(): boolean {
    const ok = trainAndInstall(this.core, this.clock.now());
    if (ok) this.installed++;
    else this.refused++;
    return ok;
  }

  shutdown(): Promise<void> {
    return this.assembler.shutdown();
  }

  get retrains(): { readonly installed: number; readonly refused: number } {
    return { installed: this.installed, refused: this.refused };
  }

  assemblerStats(): AssemblerStats {
    return this.assembler.stats();
  }

  private retrainIfDue(): void {
    const now = this.clock.now();
    const hasModel = this.core.detector.model !== null;
    if (!this.schedule.due(now, hasModel, this.core.window.size)) return;
    const installed = trainAndInstall(this.core, now);
    if (installed) this.installed++;
    else this.refused++;
    this.schedule.ran(now, installed, hasModel);
  }
}
