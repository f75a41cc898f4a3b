import type { Clock } from "../core/clock.js";
import { Alerter, type AlerterOptions } from "../core/alerts/alerter.js";
import { Redactor } from "../core/alerts/redaction.js";
import { Detector } from "../core/model/detector.js";
import { loadModel } from "../core/model/model.js";
import { trainModel, type TrainOptions, type TrainResult } from "../core/model/trainer.js";
import { SELECTABLE_COLUMNS, type FeatureColumn } from "../core/model/transforms.js";
import { RollingWindow, type RollingWindowOptions } from "../core/model/window.js";
import { compileRulesFromConfig } from "../core/rules/rules.js";
import { RetrainSchedule, type RetrainScheduleOptions } from "../core/pipeline/retrain-schedule.js";
import type { Config } from "../config/index.js";
import type { TraceAssemblerOptions } from "../core/assembler/types.js";

/** The detection core built from a loaded config: window, detector and alerter share one clock. */
export interface DetectionCore {
  readonly window: RollingWindow;
  readonly detector: Detector;
  readonly alerter: Alerter;
  /** A fresh alerter with the same rules and no cooldown state (to preview a trace's alerts). */
  readonly previewAlerter: () => Alerter;
  /** Options for every training run (name and time are filled in per run). */
  readonly train: Omit<TrainOptions, "detector" | "trainedAtMs" | "groupKey">;
}

/**
 * Model columns for the configured features: the default column set plus the optional span-level
 * columns ({@link SELECTABLE_COLUMNS}), restricted to the features listed in `spec.model.features`,
 * in that order. The seed's five features give exactly the default set.
 */
function columnsFor(features: readonly string[]): FeatureColumn[] {
  const wanted = new Set(features);
  return SELECTABLE_COLUMNS.filter((c) => wanted.has(c.feature));
}

/** Builds the detection core from config; `clock` is the wall clock live and event time in replay. */
export function buildDetectionCore(config: Config, clock: Clock): DetectionCore {
  const spec = config.spec;
  const window = new RollingWindow({ ...windowOptions(config), clock });
  const detector = new Detector({
    name: config.metadata.name,
    window,
    learnBelow: spec.detection.threshold,
  });
  const rules = compileRulesFromConfig(spec.alerts, {
    threshold: spec.detection.threshold,
    defaultCooldownMs: spec.alerting.cooldown,
  });
  const alerterOptions: AlerterOptions = {
    detector: config.metadata.name,
    rules,
    clock,
    threshold: spec.detection.threshold,
    minSeverity: spec.detection.min_severity,
    redactor: new Redactor(spec.redaction.map((r) => ({ action: r.action, key: r.key }))),
  };
  const alerter = new Alerter(alerterOptions);
  return {
    window,
    detector,
    alerter,
    previewAlerter: () => new Alerter(alerterOptions),
    train: trainOptions(config),
  };
}

/** The training window's settings from `spec.training` and the model seed (the clock comes from the caller). */
export function windowOptions(config: Config): Omit<RollingWindowOptions, "clock"> {
  const { training: t, model } = config.spec;
  return {
    windowMs: t.window,
    sampleRate: t.sample_rate,
    warmUpSamples: t.min_samples,
    excludeErrors: t.exclude_errors,
    maxSamples: t.max_samples,
    edgeRetentionMs: t.edge_retention,
    maxEdges: t.max_edges,
    seed: model.seed,
  };
}

/** Options of every training run from `spec.model` and `spec.training` (name and time are per run). */
export function trainOptions(config: Config): DetectionCore["train"] {
  const { training: t, model } = config.spec;
  return {
    columns: columnsFor(model.features),
    nEstimators: model.trees,
    maxSamples: model.subsample,
    seed: model.seed,
    minSamples: t.min_samples,
  };
}

/** When to retrain, from `spec.training` (`retrain_interval`, and `min_samples` for the first model). */
export function retrainSchedule(config: Config): RetrainSchedule {
  return new RetrainSchedule(retrainScheduleOptions(config));
}

/** The retrain schedule's settings from `spec.training` (the detection pipeline's schedule). */
export function retrainScheduleOptions(config: Config): RetrainScheduleOptions {
  const t = config.spec.training;
  return { intervalMs: t.retrain_interval, minSamples: t.min_samples };
}

/** The assembler's limits from `spec.assembly` (clock, processor, metrics and logger come from the caller). */
export function assemblyLimits(
  config: Config,
): Pick<
  TraceAssemblerOptions,
  "decisionWaitMs" | "rootGraceMs" | "reopenWindowMs" | "maxTraces" | "maxSpansPerTrace" | "maxBytes"
> {
  const a = config.spec.assembly;
  return {
    decisionWaitMs: a.decision_wait,
    rootGraceMs: a.root_grace,
    reopenWindowMs: a.reopen_window,
    maxTraces: a.max_traces,
    maxSpansPerTrace: a.max_spans_per_trace,
    maxBytes: a.max_bytes,
  };
}

/** Trains a model on the detector's window on the calling thread (sanity checks included). */
export function trainOnWindow(core: DetectionCore, nowMs: number): TrainResult {
  return trainModel(core.detector.trainingSet(), {
    ...core.train,
    detector: core.detector.name,
    groupKey: core.detector.groupKey,
    trainedAtMs: nowMs,
  });
}

/**
 * Trains on the detector's window on the calling thread and installs the model when it passes
 * the sanity checks. For replay and evaluation, which have no live traffic to protect; the service
 * trains in a worker thread instead. Returns whether a model was installed.
 */
export function trainAndInstall(core: DetectionCore, nowMs: number): boolean {
  const r = trainOnWindow(core, nowMs);
  if (r.ok) core.detector.install(loadModel(r.artifact));
  return r.ok;
}
