import type { Clock } from "../core/clock.js";
import {
  DetectionPipeline,
  type DetectionPipelineOptions,
  type PipelineTrainer,
} from "../core/pipeline/detection-pipeline.js";
import type { PipelineOutputs } from "../core/pipeline/trace-pipeline.js";
import type { Config } from "../config/index.js";
import {
  assemblyLimits,
  buildDetectionCore,
  retrainScheduleOptions,
  trainAndInstall,
  type DetectionCore,
} from "./detector.js";

/** What {@link createDetectionPipeline} takes besides the config. */
export interface DetectionPipelineDeps {
  /** Wall time live, event time in replay, evaluation and the bench. */
  readonly clock: Clock;
  readonly outputs: PipelineOutputs;
  /** The detection core, when the caller needs it first (the service); default: built from the config. */
  readonly core?: DetectionCore;
  /** Default: {@link inlineTrainer} (replay, evaluation); the service injects its worker-thread retrainer. */
  readonly trainer?: PipelineTrainer;
  readonly scheduleBeforeFirstTrain?: boolean;
  readonly onTrained?: DetectionPipelineOptions["onTrained"];
  /**
   * Bytes held beside the assembler within `spec.assembly.max_bytes` (the tail-sampling store's
   * kept traces): open traces get what they leave. Default: nothing shared.
   */
  readonly sharedBytes?: () => number;
  readonly metrics?: DetectionPipelineOptions["metrics"];
  readonly logger?: DetectionPipelineOptions["logger"];
}

/** A pipeline with the detection core it runs. */
export interface ConfiguredPipeline {
  readonly pipeline: DetectionPipeline;
  readonly core: DetectionCore;
}

/** Trains on the calling thread and installs the model when it passes (replay, evaluation, bench). */
export function inlineTrainer(core: DetectionCore): PipelineTrainer {
  return { train: (nowMs) => (trainAndInstall(core, nowMs) ? "installed" : "refused") };
}

/**
 * The one place a {@link DetectionPipeline} is built from config: `serve`, `replay`, `eval` and
 * `bench` all call this, so they run the same stages with the same settings.
 */
export function createDetectionPipeline(config: Config, deps: DetectionPipelineDeps): ConfiguredPipeline {
  const core = deps.core ?? buildDetectionCore(config, deps.clock);
  const pipeline = new DetectionPipeline({
    clock: deps.clock,
    detector: core.detector,
    alerter: core.alerter,
    window: core.window,
    trainer: deps.trainer ?? inlineTrainer(core),
    schedule: retrainScheduleOptions(config),
    limits: {
      ...assemblyLimits(config),
      ...(deps.sharedBytes === undefined ? {} : { sharedBytes: deps.sharedBytes }),
    },
    outputs: deps.outputs,
    ...(deps.scheduleBeforeFirstTrain === undefined
      ? {}
      : { scheduleBeforeFirstTrain: deps.scheduleBeforeFirstTrain }),
    ...(deps.onTrained === undefined ? {} : { onTrained: deps.onTrained }),
    ...(deps.metrics === undefined ? {} : { metrics: deps.metrics }),
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
  });
  return { pipeline, core };
}
