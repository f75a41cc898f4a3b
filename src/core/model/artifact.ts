import type { GroupKeyStrategy } from "../features/group-key.js";
import type { GroupStats } from "./baselines.js";
import type { Calibration } from "./calibration.js";
import type { Forest } from "./forest.js";
import type { OperationSnapshot } from "./op-baselines.js";
import type { FeatureColumn } from "./transforms.js";

export const MODEL_FORMAT = "tracewatch.isolation_forest";
/** Bumped whenever the artifact layout or the meaning of a field changes. */
export const MODEL_FORMAT_VERSION = 1;

/** Training parameters recorded in the artifact. */
export interface ForestParams {
  readonly nEstimators: number;
  readonly maxSamples: number;
  readonly seed: number;
}

/**
 * Everything needed to score with a trained model, as plain data (typed arrays inside): what the
 * model store writes, the worker thread returns and the model topic carries.
 */
export interface ModelArtifact {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: typeof MODEL_FORMAT_VERSION;
  /** Name of the detector the model belongs to. */
  readonly detector: string;
  /** Unique, sortable by training time: `<trainedAt ISO basic>-<8 hex>`. */
  readonly version: string;
  /** When the model was trained: wall-clock Unix ms (never event time). */
  readonly trainedAtMs: number;
  /** Event time span of the training window, Unix ms. */
  readonly window: { readonly startMs: number; readonly endMs: number };
  /**
   * Event time range of the data a `tracewatch retrain` job read (earliest span start to latest
   * span end, Unix ms), which may be wider than the window. Absent in models trained by serve on
   * its live window and in models written before it.
   */
  readonly data?: { readonly fromMs: number; readonly toMs: number };
  /** Model samples the forest was trained on. */
  readonly sampleCount: number;
  /** Traces observed in the window (before sampling). */
  readonly observedCount: number;
  readonly groupKey: GroupKeyStrategy;
  readonly columns: readonly FeatureColumn[];
  readonly params: ForestParams;
  readonly forest: Forest;
  readonly calibration: Calibration;
  readonly baselines: {
    readonly minGroupSamples: number;
    readonly global: GroupStats;
    readonly groups: ReadonlyArray<readonly [string, GroupStats]>;
    readonly roots: ReadonlyArray<readonly [string, GroupStats]>;
  };
  /** Caller→callee service edges seen in the window, sorted. */
  readonly knownEdges: readonly string[];
  /**
   * Per-operation baselines (span duration and self time) and per-type p99s (robust,
   * hierarchical): see docs/model.md. Absent in models trained before them; such models score
   * no spans and keep the group p99.
   */
  readonly operations?: OperationSnapshot;
}
