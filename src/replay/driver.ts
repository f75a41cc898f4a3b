import type { AssemblerStats } from "../core/assembler/types.js";
import { ManualClock } from "../core/clock.js";
import type { DetectionPipeline } from "../core/pipeline/detection-pipeline.js";
import type { PipelineOutputs } from "../core/pipeline/trace-pipeline.js";
import type { Config } from "../config/index.js";
import type { Span } from "../domain/span.js";
import type { DetectionCore } from "../service/detector.js";
import { createDetectionPipeline } from "../service/pipeline.js";

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
  private readonly pipeline: DetectionPipeline;
  private lastTick: number;

  constructor(o: EventTimeDriverOptions) {
    this.clock = new ManualClock(o.startMs);
    this.lastTick = o.startMs;
    // Trains inline: the next trace is scored with the new model, as deterministic as event time.
    const { pipeline, core } = createDetectionPipeline(o.config, { clock: this.clock, outputs: o.outputs });
    this.pipeline = pipeline;
    this.core = core;
  }

  /**
   * Feeds spans in their order; event time moves to each span's end when that is later.
   * `onSpan(i)` is called after each span (progress).
   */
  async feed(spans: readonly Span[], onSpan?: (i: number) => void): Promise<void> {
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i] as Span;
      this.clock.set(Number(span.endTimeUnixNano / 1_000_000n));
      this.pipeline.add([span]);
      if (this.clock.now() - this.lastTick >= TICK_EVERY_MS) {
        this.lastTick = this.clock.now();
        this.pipeline.tick(this.lastTick);
        // Let completed traces be processed and acknowledged before event time moves on, as they
        // would be live; otherwise unacknowledged traces pile up and hold the assembler at its bound.
        await this.pipeline.whenIdle();
      }
      onSpan?.(i);
    }
  }

  /** Completes every open trace (end of input). */
  flush(): Promise<void> {
    return this.pipeline.flush();
  }

  /** Trains now on the window (hold-back policy applied) and installs the model if it passes. */
  trainNow(): boolean {
    return this.pipeline.trainNow() === "installed";
  }

  shutdown(): Promise<void> {
    return this.pipeline.shutdown();
  }

  get retrains(): { readonly installed: number; readonly refused: number } {
    const { installed, refused } = this.pipeline.pipelineStats().retrains;
    return { installed, refused };
  }

  assemblerStats(): AssemblerStats {
    return this.pipeline.stats();
  }
}
