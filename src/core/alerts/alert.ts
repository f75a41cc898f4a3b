import { createHash } from "node:crypto";
import type {
  MissingCall,
  SeedFeature,
  SpanExcess,
  TraceFeatures,
  UnexpectedError,
} from "../../domain/features.js";
import type { AttributeValue } from "../../domain/span.js";
import type { DedupScope } from "../rules/rules.js";
import type { Severity } from "../rules/severity.js";

/** Version of the alert JSON; schemas/alert.v1.json describes it. */
export const ALERT_VERSION = 1;

/** Feature values carried in an alert: the seed's features (durations in ms) and affected_services. */
export type AlertFeatures = Pick<TraceFeatures, SeedFeature | "affected_services">;

/** One span on the trace's critical path. */
export interface CriticalPathStep {
  readonly service: string;
  readonly operation: string;
  readonly spanId: string;
  /** Time this span itself spent on the critical path (children excluded), ms. */
  readonly selfTimeMs: number;
}

/** The deepest span with status ERROR: where the failure most likely started. */
export interface LikelyOrigin {
  readonly service: string;
  readonly operation: string;
  readonly spanId: string;
  /** Depth in the span tree; the root is 0. */
  readonly depth: number;
}

/** Why the alert fired, for the person who reads it. */
export interface AlertEvidence {
  readonly groupKey: string;
  /** p99 of total_duration for the group, ms; null while warming up. */
  readonly p99Baseline: number | null;
  /** total_duration / p99Baseline; null when there is no baseline. */
  readonly durationRatio: number | null;
  /** Edges of this trace the model has not seen, "caller->callee". */
  readonly newEdges: readonly string[];
  readonly erroringServices: readonly string[];
  readonly likelyOrigin: LikelyOrigin | null;
  /** Service with the most self time on the critical path, with that time in ms. */
  readonly slowestService: { readonly service: string; readonly selfTimeMs: number } | null;
  /**
   * The cross-service call with the most time outside the callee's span (network or queueing
   * delay between two services), or null. Optional in version 1.
   */
  readonly slowestCall?: {
    readonly caller: string;
    readonly callee: string;
    readonly operation: string;
    readonly outsideCalleeMs: number;
  } | null;
  /**
   * The service most likely at fault from span-level evidence (its own spans' self time beyond
   * their operations' p99, a slow call's outside time shared with its callee) and that time, ms;
   * null without operation baselines or when no span exceeds its baseline. Optional in version 1.
   */
  readonly culprit?: { readonly service: string; readonly excessMs: number } | null;
  /** The spans with the most self time beyond their operation's p99, largest first. Optional. */
  readonly topSpans?: readonly SpanExcess[];
  /**
   * Operations the trace's request type calls in (almost) every trace that are absent from it (at
   * most 10), with their usual parent operation; present only when there are some. Optional.
   */
  readonly missingCalls?: readonly MissingCall[];
  /**
   * ERROR spans of operations whose baseline error rate is near zero (at most 10); present only
   * when there are some. Optional.
   */
  readonly unexpectedErrors?: readonly UnexpectedError[];
  /**
   * Every service the alert is about: for new edges each new edge's callee (sorted), otherwise the
   * alert's `service`. Optional in version 1.
   */
  readonly services?: readonly string[];
  /** Critical path in time order, at most 20 steps (the longest ones when truncated). */
  readonly criticalPath: readonly CriticalPathStep[];
  readonly criticalPathTruncated: boolean;
  /** Root span attributes after redaction. */
  readonly rootAttributes: Readonly<Record<string, AttributeValue>>;
  /** Likely origin span attributes after redaction (empty without an origin). */
  readonly originAttributes: Readonly<Record<string, AttributeValue>>;
}

/** How this alert relates to the matches collapsed into it. */
export interface AlertDedup {
  readonly scope: DedupScope;
  /** The keys this alert opened a window for (trace id, new edges, or origin service). */
  readonly keys: readonly string[];
  readonly cooldownMs: number;
  /** Matches suppressed for these keys in their previous window (since the last alert for them). */
  readonly suppressedSinceLast: number;
}

/** An alert, version 1: the JSON every sink delivers. */
export interface Alert {
  readonly version: typeof ALERT_VERSION;
  /** Deterministic: same trace and type → same id. 32 lowercase hex. */
  readonly id: string;
  readonly type: string;
  readonly severity: Severity;
  /** Numeric weight of the severity (compared with detection.min_severity). */
  readonly severityScore: number;
  /** metadata.name of the detector. */
  readonly detector: string;
  readonly traceId: string;
  /** ISO 8601 UTC, from the injected clock. */
  readonly detectedAt: string;
  /** ISO 8601 UTC of the trace's earliest span start. */
  readonly traceStartedAt: string;
  readonly anomalyScore: number | null;
  /** anomalyScore >= detection.threshold; null while warming up. */
  readonly anomalous: boolean | null;
  readonly modelVersion: string | null;
  readonly condition: string;
  readonly description: string;
  /** The service the alert is about (see docs/alerts.md). */
  readonly service: string;
  readonly rootService: string;
  readonly rootOperation: string;
  readonly features: AlertFeatures;
  readonly evidence: AlertEvidence;
  readonly dedup: AlertDedup;
}

/** The deterministic alert id of `type` on `traceId`: the first 128 bits of a SHA-256, in hex. */
export function alertId(traceId: string, type: string): string {
  return createHash("sha256").update(`tracewatch.alert.v1\n${traceId}\n${type}`).digest("hex").slice(0, 32);
}
