import type { Alert } from "../alerts/alert.js";
import { SEVERITY_WEIGHTS, type Severity } from "../rules/severity.js";
import {
  INCIDENT_VERSION,
  incidentId,
  incidentKey,
  MAX_INCIDENT_LIST,
  MAX_INCIDENT_TRACE_IDS,
  type Incident,
  type IncidentEvent,
  type IncidentEvidence,
} from "./incident.js";
import { incidentDescription, incidentSummary } from "./summary.js";

export interface IncidentTrackerOptions {
  /** An alert joins the open incident of its key when it comes at most this long after its last alert, ms. Default 300000. */
  readonly groupWindowMs?: number;
  /** An incident resolves this long after its last alert, ms. Default 300000. */
  readonly quietPeriodMs?: number;
  /** Open incidents kept at most (the oldest is resolved past it). Default 10000. */
  readonly maxOpen?: number;
  /** Resolved incidents remembered (for the API) at most. Default 1000. */
  readonly maxResolved?: number;
}

/** An update is notified when the trace count reaches twice the last notified count, and at least this. */
const SIGNIFICANT_MIN_TRACES = 5;

/** Evidence of an incident before any alert added to it. */
export const EMPTY_EVIDENCE: IncidentEvidence = {
  worstDurationRatio: null,
  p99BaselineMs: null,
  worstRequestType: null,
  culprit: null,
  slowestService: null,
  slowestCall: null,
  newEdges: [],
  erroringServices: [],
  likelyOrigin: null,
};

/**
 * Groups alerts into incidents: alerts of one type about one service (`alert.service`) whose gaps
 * are within the group window form one incident; it resolves after the quiet period without an
 * alert. Pure: times come from the alerts' `detectedAt` and from {@link tick}; no timers.
 */
export class IncidentTracker {
  private readonly open = new Map<string, Incident>();
  private readonly resolved = new Map<string, Incident>();
  private readonly o: Required<IncidentTrackerOptions>;

  constructor(options: IncidentTrackerOptions) {
    this.o = {
      groupWindowMs: 300_000,
      quietPeriodMs: 300_000,
      maxOpen: 10_000,
      maxResolved: 1_000,
      ...options,
    };
  }

  /**
   * Adds one alert. Returns the events to notify: `opened` for a new incident, `updated` on a
   * significant change (trace count doubled, severity rose), and `resolved` for an incident of the
   * same key that the alert came too late to join.
   */
  observe(alert: Alert): IncidentEvent[] {
    const at = Date.parse(alert.detectedAt);
    const key = incidentKey(alert.type, alert.service);
    const events: IncidentEvent[] = [];
    const current = this.open.get(key);
    if (current !== undefined && at - Date.parse(current.lastSeenAt) > this.o.groupWindowMs) {
      events.push(this.resolve(key, current, Date.parse(current.lastSeenAt) + this.o.quietPeriodMs));
    }
    const before = this.open.get(key);
    if (before === undefined) {
      const opened = this.opened(alert, at);
      this.open.set(key, opened);
      events.push({ kind: "opened", incident: opened });
      this.bound(events);
      return events;
    }
    // The same trace again (its alert redelivered after a restart): nothing new.
    if (before.traceIds.includes(alert.traceId)) return events;
    let next = merge(before, alert, at);
    if (isSignificant(before, next)) {
      next = { ...next, notifiedTraceCount: next.traceCount, notifiedSeverity: next.severity };
      events.push({ kind: "updated", incident: next });
    }
    this.open.set(key, next);
    return events;
  }

  /** Resolves the incidents quiet for the quiet period; returns their `resolved` events. */
  tick(nowMs: number): IncidentEvent[] {
    const events: IncidentEvent[] = [];
    for (const [key, i] of this.open) {
      const quietEnd = Date.parse(i.lastSeenAt) + this.o.quietPeriodMs;
      if (nowMs >= quietEnd) events.push(this.resolve(key, i, quietEnd));
    }
    return events;
  }

  /** Open incidents, oldest first. */
  openIncidents(): Incident[] {
    return [...this.open.values()].sort((a, b) => a.openedAt.localeCompare(b.openedAt));
  }

  /** Open and remembered resolved incidents, newest first. */
  list(): Incident[] {
    return [...this.open.values(), ...this.resolved.values()].sort((a, b) =>
      b.openedAt.localeCompare(a.openedAt),
    );
  }

  /** The open incident an alert of this type about this service joins, if any. */
  openFor(type: string, service: string): Incident | undefined {
    return this.open.get(incidentKey(type, service));
  }

  get(id: string): Incident | undefined {
    return this.resolved.get(id) ?? [...this.open.values()].find((i) => i.id === id);
  }

  /**
   * Takes back incidents from a previous run (the incidents topic or file): the open ones are
   * continued with their id and counts, the resolved ones remembered. A later revision wins.
   */
  restore(incidents: Iterable<Incident>): void {
    for (const i of incidents) {
      if (i.version !== INCIDENT_VERSION) continue;
      const key = incidentKey(i.type, i.service);
      const known = this.open.get(key) ?? this.resolved.get(i.id);
      if (known !== undefined && known.id === i.id && known.revision >= i.revision) continue;
      if (i.status === "open") {
        const other = this.open.get(key);
        if (other !== undefined && other.id !== i.id && other.openedAt > i.openedAt) continue;
        this.resolved.delete(i.id);
        this.open.set(key, i);
      } else {
        if (this.open.get(key)?.id === i.id) this.open.delete(key);
        this.remember(i);
      }
    }
  }

  private opened(alert: Alert, at: number): Incident {
    const base: Incident = {
      version: INCIDENT_VERSION,
      id: incidentId(alert.detector, alert.type, alert.service, at),
      detector: alert.detector,
      type: alert.type,
      service: alert.service,
      status: "open",
      severity: alert.severity,
      openedAt: alert.detectedAt,
      lastSeenAt: alert.detectedAt,
      resolvedAt: null,
      traceCount: 0,
      worstScore: null,
      requestTypes: [],
      traceIds: [],
      notifiedTraceCount: 1,
      notifiedSeverity: alert.severity,
      revision: 0,
      summary: "",
      description: "",
      evidence: EMPTY_EVIDENCE,
    };
    return merge(base, alert, at);
  }

  private resolve(key: string, i: Incident, atMs: number): IncidentEvent {
    this.open.delete(key);
    const resolved = withText({
      ...i,
      status: "resolved",
      resolvedAt: new Date(atMs).toISOString(),
      revision: i.revision + 1,
    });
    this.remember(resolved);
    return { kind: "resolved", incident: resolved };
  }

  private remember(i: Incident): void {
    this.resolved.delete(i.id);
    this.resolved.set(i.id, i);
    while (this.resolved.size > this.o.maxResolved)
      this.resolved.delete(this.resolved.keys().next().value as string);
  }

  /** Past maxOpen the incident quiet the longest is resolved now. */
  private bound(events: IncidentEvent[]): void {
    while (this.open.size > this.o.maxOpen) {
      let oldest: [string, Incident] | undefined;
      for (const entry of this.open)
        if (oldest === undefined || entry[1].lastSeenAt < oldest[1].lastSeenAt) oldest = entry;
      const [key, i] = oldest!;
      events.push(this.resolve(key, i, Date.parse(i.lastSeenAt)));
    }
  }
}

function isSignificant(before: Incident, after: Incident): boolean {
  if (SEVERITY_WEIGHTS[after.severity] > SEVERITY_WEIGHTS[before.notifiedSeverity]) return true;
  return after.traceCount >= Math.max(2 * before.notifiedTraceCount, SIGNIFICANT_MIN_TRACES);
}

function worse(a: Severity, b: Severity): Severity {
  return SEVERITY_WEIGHTS[b] > SEVERITY_WEIGHTS[a] ? b : a;
}

function addBounded(list: readonly string[], items: readonly string[]): readonly string[] {
  const out = [...list];
  for (const item of items) if (out.length < MAX_INCIDENT_LIST && !out.includes(item)) out.push(item);
  return out;
}

/** The incident with one more alert. */
function merge(i: Incident, alert: Alert, at: number): Incident {
  const requestType = `${alert.rootService} ${alert.rootOperation}`;
  const score = alert.anomalyScore;
  const traceIds = [...i.traceIds, alert.traceId].slice(-MAX_INCIDENT_TRACE_IDS);
  return withText({
    ...i,
    severity: worse(i.severity, alert.severity),
    lastSeenAt: at > Date.parse(i.lastSeenAt) ? alert.detectedAt : i.lastSeenAt,
    traceCount: i.traceCount + 1,
    worstScore: score === null ? i.worstScore : Math.max(score, i.worstScore ?? score),
    requestTypes: addBounded(i.requestTypes, [requestType]),
    traceIds,
    revision: i.revision + 1,
    evidence: mergeEvidence(i.evidence, alert, requestType),
  });
}

function mergeEvidence(e: IncidentEvidence, alert: Alert, requestType: string): IncidentEvidence {
  const ev = alert.evidence;
  const ratio = ev.durationRatio;
  const worst = ratio !== null && (e.worstDurationRatio === null || ratio > e.worstDurationRatio);
  const culprit = ev.culprit ?? null;
  return {
    worstDurationRatio: worst ? ratio : e.worstDurationRatio,
    p99BaselineMs: worst ? ev.p99Baseline : e.p99BaselineMs,
    worstRequestType: worst ? requestType : e.worstRequestType,
    culprit: mergeCulprit(e.culprit, culprit),
    slowestService: ev.slowestService ?? e.slowestService,
    slowestCall:
      ev.slowestCall === undefined || ev.slowestCall === null
        ? e.slowestCall
        : {
            caller: ev.slowestCall.caller,
            callee: ev.slowestCall.callee,
            outsideCalleeMs: ev.slowestCall.outsideCalleeMs,
          },
    newEdges: addBounded(e.newEdges, ev.newEdges),
    erroringServices: addBounded(e.erroringServices, ev.erroringServices),
    likelyOrigin:
      ev.likelyOrigin === null ? e.likelyOrigin : `${ev.likelyOrigin.service} ${ev.likelyOrigin.operation}`,
  };
}

/** The culprit's excess summed over traces; another service replaces it only while it has one trace. */
function mergeCulprit(
  known: IncidentEvidence["culprit"],
  seen: { readonly service: string; readonly excessMs: number } | null,
): IncidentEvidence["culprit"] {
  if (seen === null) return known;
  if (known !== null && known.service === seen.service)
    return {
      service: known.service,
      totalExcessMs: known.totalExcessMs + seen.excessMs,
      traces: known.traces + 1,
    };
  if (known !== null && known.traces > 1) return known;
  return { service: seen.service, totalExcessMs: seen.excessMs, traces: 1 };
}

function withText(i: Incident): Incident {
  return { ...i, summary: incidentSummary(i), description: incidentDescription(i) };
}
