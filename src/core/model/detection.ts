import type { ScoredTrace } from "../../domain/features.js";

/** The seed's `detection` section. */
export interface DetectionSettings {
  /** Calibrated score at or above which a trace is anomalous. Default 0.95. */
  readonly threshold: number;
  /** Calibrated score below which no alert is emitted for a trace. Default 0.7. */
  readonly minSeverity: number;
}

export const DEFAULT_DETECTION: DetectionSettings = { threshold: 0.95, minSeverity: 0.7 };

/** What `detection` says about one scored trace (see docs/model.md). */
export interface DetectionVerdict {
  /** anomaly_score ≥ threshold (false while warming up). */
  readonly anomalous: boolean;
  /**
   * True when alerts may be emitted for the trace: anomaly_score ≥ min_severity, or the model is
   * warming up (model-free rules still run then).
   */
  readonly alertable: boolean;
}

export function detectionVerdict(t: ScoredTrace, s: DetectionSettings = DEFAULT_DETECTION): DetectionVerdict {
  const a = t.anomaly_score;
  if (a === null) return { anomalous: false, alertable: true };
  return { anomalous: a >= s.threshold, alertable: a >= s.minSeverity };
}
