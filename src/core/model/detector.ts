import type { ScoredTrace, TraceFeatures } from "../../domain/features.js";
import type { GroupKeyStrategy } from "../features/group-key.js";
import type { Model } from "./model.js";
import type { RollingWindow, TrainingSet } from "./window.js";

/** Options of {@link Detector}. */
export interface DetectorOptions {
  /** Detector name (metadata.name of its config). */
  readonly name: string;
  /** The training window the detector feeds. */
  readonly window: RollingWindow;
  /** Grouping strategy features must be extracted with. Default "entry". */
  readonly groupKey?: GroupKeyStrategy;
  /**
   * Traces scoring at or above this calibrated score are not added to the window, so a running
   * incident does not teach the model that it is normal. 1 keeps every trace. Default 0.95
   * (pass detection.threshold).
   */
  readonly learnBelow?: number;
}

const NONE: readonly string[] = Object.freeze([]);

/**
 * Holds the current model, scores traces with it and feeds the rolling window. Swapping the
 * model is one reference assignment: a score uses exactly one model from start to end.
 */
export class Detector {
  readonly name: string;
  readonly groupKey: GroupKeyStrategy;
  private readonly window: RollingWindow;
  private readonly learnBelow: number;
  private current: Model | null = null;

  constructor(o: DetectorOptions) {
    this.name = o.name;
    this.window = o.window;
    this.groupKey = o.groupKey ?? "entry";
    this.learnBelow = o.learnBelow ?? 0.95;
  }

  /** The model in use, or null while warming up. */
  get model(): Model | null {
    return this.current;
  }

  get warmingUp(): boolean {
    return this.current === null;
  }

  /** Replaces the model atomically. */
  install(model: Model): void {
    this.current = model;
  }

  /** Scores a trace; while warming up the model fields are null and no edge counts as new. */
  score(f: TraceFeatures): ScoredTrace {
    const m = this.current;
    if (m === null) {
      return {
        features: f,
        anomaly_score: null,
        p99_baseline: null,
        new_edges: NONE,
        new_service_combination: false,
        model_version: null,
      };
    }
    const s = m.score(f);
    return {
      features: f,
      anomaly_score: s.anomalyScore,
      p99_baseline: s.baseline.p99,
      new_edges: s.newEdges,
      new_service_combination: s.newEdges.length > 0,
      model_version: m.version,
    };
  }

  /** Feeds a trace to the training window (after scoring, so a score can keep anomalies out). */
  observe(f: TraceFeatures, scored?: ScoredTrace): void {
    const a = scored?.anomaly_score;
    if (a !== null && a !== undefined && a >= this.learnBelow) return;
    this.window.observe(f);
  }

  /** What the next training run reads. */
  trainingSet(): TrainingSet {
    return this.window.snapshot();
  }
}
