import { ABSENCE_SURGE_FACTOR } from "./call-baselines.js";
import { LiveShare } from "./live-share.js";
import { SlowShare } from "./slow-share.js";
import type { ScoredTrace, TraceFeatures } from "../../domain/features.js";
import type { GroupKeyStrategy } from "../features/group-key.js";
import type { Model } from "./model.js";
import type { HoldBackPolicy } from "./hold-back.js";
import type { TraceFlag } from "./window-bucket.js";
import type { RollingWindow } from "./window.js";
import type { SpanProfile } from "../features/span-profile.js";
import { DEFAULT_MIN_GROUP_SAMPLES } from "./baselines.js";
import { OperationWindow } from "./operations.js";
import type { TrainingInput } from "./trainer.js";

/** Options of {@link Detector}. */
export interface DetectorOptions {
  /** Detector name (metadata.name of its config). */
  readonly name: string;
  /** The training window the detector feeds. */
  readonly window: RollingWindow;
  /** Grouping strategy features must be extracted with. Default "entry". */
  readonly groupKey?: GroupKeyStrategy;
  /**
   * Calibrated score from which a trace counts as flagged (pass detection.threshold). By
   * construction about 1 − learnBelow of normal traffic is flagged: that normal tail is learned,
   * so baselines and calibration do not tighten retrain after retrain. A request type whose
   * flagged share in a window bucket is significantly above its own history (at least
   * 1 − learnBelow, with a margin; binomial test, see hold-back.ts) holds an incident there: those
   * flagged traces are held back from training (forest, calibration, baselines, known edges), so a
   * running incident does not teach the model that it is normal, while a type that is always slow
   * is learned as such. 1 or more learns every trace. Default 0.95.
   */
  readonly learnBelow?: number;
  /**
   * Per-operation baselines rolling with `window` (same buckets and expiry). Default: one built
   * on the window's geometry.
   */
  readonly operations?: OperationWindow;
  /** Live shares of slow spans per operation (`degraded_spans`). Default: SlowShare's defaults. */
  readonly slowShare?: SlowShare;
  /**
   * Live absence shares of each request type's usual calls (`missing_calls` while one surges).
   * Default: a one-minute share, surging at three times the baseline's absence rate.
   */
  readonly callShare?: LiveShare;
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
  /** The hold-back policy training applies; undefined when every trace is learned. */
  private readonly holdBack: HoldBackPolicy | undefined;
  private current: Model | null = null;
  /** Span duration and self-time sketches per operation, trace duration per type. */
  readonly operations: OperationWindow;
  /** Each operation's share of slow spans over the last minute, from every scored trace. */
  readonly slowShare: SlowShare;
  /** Each request type's usual calls' share of traces without them over the last minute. */
  readonly callShare: LiveShare;

  constructor(o: DetectorOptions) {
    this.name = o.name;
    this.window = o.window;
    this.groupKey = o.groupKey ?? "entry";
    this.learnBelow = o.learnBelow ?? 0.95;
    this.holdBack = this.learnBelow >= 1 ? undefined : { tailShare: 1 - this.learnBelow };
    this.operations = o.operations ?? new OperationWindow(o.window.geometry);
    this.slowShare = o.slowShare ?? new SlowShare();
    this.callShare = o.callShare ?? new LiveShare({ factor: ABSENCE_SURGE_FACTOR });
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
    // A model loaded at start-up brings the edges it knew; the window's memory keeps them.
    this.window.rememberEdges(model.artifact.knownEdges, model.artifact.window.endMs);
  }

  /**
   * Scores a trace; while warming up the model fields are null and no edge counts as new. With
   * the trace's span profile its spans are scored against their operations' baselines.
   */
  score(f: TraceFeatures, profile?: SpanProfile): ScoredTrace {
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
    // The trace's spans count in their operations' shares at its end (event time).
    const s = m.score(f, profile, {
      share: this.slowShare,
      atMs: f.startTimeMs + f.total_duration,
      calls: this.callShare,
    });
    return {
      features: f,
      anomaly_score: s.anomalyScore,
      p99_baseline: s.p99Baseline,
      new_edges: s.newEdges,
      new_service_combination: s.newEdges.length > 0,
      model_version: m.version,
      spans: s.spans,
      calls: s.calls,
    };
  }

  /**
   * Feeds a trace to the training window with its score (after scoring), so that training can
   * hold flagged traces back where they are more than the normal tail (see
   * {@link DetectorOptions.learnBelow}). `alerted`: whether an alert rule matched it (the type's
   * p99 learns flagged traces no rule matched, see OperationWindow.observe); undefined when not
   * known (taken as matched).
   */
  observe(f: TraceFeatures, scored?: ScoredTrace, profile?: SpanProfile, alerted?: boolean): void {
    const flag = this.flagOf(scored?.anomaly_score ?? null);
    // Span-level columns are stored only when the model reads them (a copy of the features).
    const spans = this.current?.usesSpanFeatures === true ? scored?.spans : undefined;
    this.window.observe(
      spans === undefined || spans === null
        ? f
        : {
            ...f,
            max_span_excess: spans.max_span_excess,
            critical_path_excess_ms: spans.critical_path_excess_ms,
            spans_over_p99: spans.spans_over_p99,
          },
      flag,
    );
    if (!(this.window.excludesErrors && f.error_count > 0))
      this.operations.observe(f, profile, flag, alerted);
    // Usual calls and error rates learn every trace (an error rate needs the errors); traces the
    // model flagged or that miss calls or fail unexpectedly are judged per (bucket, type) cell.
    if (profile !== undefined) {
      const c = scored?.calls;
      const codeFlagged = c !== undefined && c !== null && (c.missing_calls > 0 || c.unexpected_errors > 0);
      this.operations.observeCalls(f, profile, flag === "flagged" || codeFlagged);
    }
  }

  /** How a score counts for training: "flagged" at or above learnBelow (when below 1). */
  flagOf(anomalyScore: number | null): TraceFlag {
    if (anomalyScore === null) return "unscored";
    return this.learnBelow < 1 && anomalyScore >= this.learnBelow ? "flagged" : "normal";
  }

  /**
   * What the next training run reads: the window and the operation baselines, without the
   * flagged traces of incident buckets.
   */
  trainingSet(): TrainingInput {
    return {
      ...this.window.snapshot(this.holdBack),
      operations: this.operations.snapshot(this.holdBack, DEFAULT_MIN_GROUP_SAMPLES),
    };
  }
}
