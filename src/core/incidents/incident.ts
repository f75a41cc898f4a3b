import { createHash } from "node:crypto";
import type { Severity } from "../rules/severity.js";

/** Version of the incident JSON; schemas/incident.v1.json describes it. */
export const INCIDENT_VERSION = 1;

/** Trace ids kept per incident (the most recent ones). */
export const MAX_INCIDENT_TRACE_IDS = 100;
/** Request types, new edges, erroring services kept per incident. */
export const MAX_INCIDENT_LIST = 20;

/** What the alerts of an incident showed, accumulated (the summary and description come from it). */
export interface IncidentEvidence {
  /** Largest total_duration / p99 of the alerts' traces; null when none had a baseline. */
  readonly worstDurationRatio: number | null;
  /** The p99 baseline of the trace with the worst ratio, ms. */
  readonly p99BaselineMs: number | null;
  /** Request type (`root_service root_operation`) of the trace with the worst ratio. */
  readonly worstRequestType: string | null;
  /** Span-level culprit evidence: the service most often blamed, its excess summed over traces. */
  readonly culprit: {
    readonly service: string;
    readonly totalExcessMs: number;
    readonly traces: number;
  } | null;
  /** Service with the most critical-path self time in the latest alert (fallback without culprit). */
  readonly slowestService: { readonly service: string; readonly selfTimeMs: number } | null;
  /** The slowest cross-service call of the latest alert that had one. */
  readonly slowestCall: {
    readonly caller: string;
    readonly callee: string;
    readonly outsideCalleeMs: number;
  } | null;
  readonly newEdges: readonly string[];
  readonly erroringServices: readonly string[];
  /** `service operation` of the deepest erroring span of the latest alert that had one. */
  readonly likelyOrigin: string | null;
}

/** One incident, version 1: alerts of one type about one service, close in time. */
export interface Incident {
  readonly version: typeof INCIDENT_VERSION;
  /** Deterministic from (detector, type, service, opened at): 32 lowercase hex. */
  readonly id: string;
  readonly detector: string;
  /** The alert type (rule) of its alerts. */
  readonly type: string;
  /** The service its alerts are about (their `service`). */
  readonly service: string;
  readonly status: "open" | "resolved";
  /** Highest severity of its alerts. */
  readonly severity: Severity;
  /** ISO 8601 UTC: detectedAt of the first alert. */
  readonly openedAt: string;
  /** ISO 8601 UTC: detectedAt of the latest alert. */
  readonly lastSeenAt: string;
  /** ISO 8601 UTC once resolved (last seen + quiet period), else null. */
  readonly resolvedAt: string | null;
  /** Traces that alerted (one per alert: an alert id is one trace and one type). */
  readonly traceCount: number;
  /** Highest anomaly score of its alerts; null while warming up. */
  readonly worstScore: number | null;
  /** `root_service root_operation` of the affected traces, first seen first (at most 20). */
  readonly requestTypes: readonly string[];
  /** Ids of the most recent affected traces (at most 100), oldest first. */
  readonly traceIds: readonly string[];
  /** traceCount when an event was last notified (significant change is measured from it). */
  readonly notifiedTraceCount: number;
  /** Severity when an event was last notified. */
  readonly notifiedSeverity: Severity;
  /** Increases with every change of state. */
  readonly revision: number;
  /** One sentence for the person on call. */
  readonly summary: string;
  /** The evidence, several lines. */
  readonly description: string;
  readonly evidence: IncidentEvidence;
}

/** Why an incident event was emitted. */
export type IncidentEventKind = "opened" | "updated" | "resolved";

/** A notification about an incident: its state after the change. */
export interface IncidentEvent {
  readonly kind: IncidentEventKind;
  readonly incident: Incident;
}

/** The deterministic incident id: the first 128 bits of a SHA-256, in hex. */
export function incidentId(detector: string, type: string, service: string, openedAtMs: number): string {
  return createHash("sha256")
    .update(`tracewatch.incident.v1\n${detector}\n${type}\n${service}\n${openedAtMs}`)
    .digest("hex")
    .slice(0, 32);
}

/** Key of the incident an alert joins: its type and its service. */
export function incidentKey(type: string, service: string): string {
  return `${type}\n${service}`;
}
