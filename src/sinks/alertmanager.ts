import type { Alert } from "../core/alerts/alert.js";
import type { IncidentEvent } from "../core/incidents/incident.js";
import type { Clock } from "../core/clock.js";
import { postJson, type HttpPostOptions } from "./http.js";
import type { AlertDeliverer, DeliveryResult } from "./types.js";

/** Options of {@link AlertmanagerDeliverer}. */
export interface AlertmanagerOptions extends HttpPostOptions {
  /** Alertmanager base URL; alerts go to `<url>/api/v2/alerts`. */
  readonly url: string;
  readonly clock: Clock;
  /**
   * generatorURL of each alert; `{traceId}`, `{alertId}` and `{type}` are replaced (e.g. a link to
   * the trace in Jaeger or Tempo). Default: none (the field is optional in the API).
   */
  readonly generatorUrl?: string;
  /** endsAt = detectedAt + this, ms: tracewatch never sends a resolve, so alerts resolve by time. Default 300000. */
  readonly resolveAfterMs?: number;
  /** Extra labels on every alert (e.g. `team`, `env`); they cannot replace the fixed ones. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** One element of Alertmanager's v2 `postableAlerts`. */
export interface PostableAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL?: string;
}

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Maps an alert to Alertmanager v2. Labels (what Alertmanager groups and deduplicates on) stay
 * low-cardinality: alertname, severity, service, detector; the trace id and alert id are annotations.
 */
export function toPostableAlert(alert: Alert, o: Omit<AlertmanagerOptions, "url" | "clock">): PostableAlert {
  const extra = Object.fromEntries(
    Object.entries(o.labels ?? {}).filter(([k, v]) => LABEL_NAME_RE.test(k) && v !== ""),
  );
  const labels = {
    ...extra,
    alertname: alert.type,
    severity: alert.severity,
    service: alert.service || alert.rootService,
    detector: alert.detector,
  };
  const score = alert.anomalyScore === null ? "n/a (warming up)" : alert.anomalyScore.toFixed(3);
  const annotations: Record<string, string> = {
    summary: `${alert.type} on ${labels.service} (trace ${alert.traceId})`,
    description: alert.description || `condition ${alert.condition} fired`,
    condition: alert.condition,
    trace_id: alert.traceId,
    alert_id: alert.id,
    anomaly_score: score,
    root: `${alert.rootService} ${alert.rootOperation}`,
  };
  if (alert.evidence.newEdges.length > 0) annotations.new_edges = alert.evidence.newEdges.join(", ");
  if (alert.evidence.likelyOrigin !== null) annotations.likely_origin = alert.evidence.likelyOrigin.service;
  const endsAt = new Date(Date.parse(alert.detectedAt) + (o.resolveAfterMs ?? 300_000)).toISOString();
  const postable: PostableAlert = { labels, annotations, startsAt: alert.detectedAt, endsAt };
  if (o.generatorUrl === undefined) return postable;
  const link = o.generatorUrl
    .replaceAll("{traceId}", encodeURIComponent(alert.traceId))
    .replaceAll("{alertId}", encodeURIComponent(alert.id))
    .replaceAll("{type}", encodeURIComponent(alert.type));
  return { ...postable, generatorURL: link };
}

/**
 * Maps an incident to one Alertmanager v2 alert. Labels stay the same for the incident's life
 * (alertname, detector, type, service, severity), startsAt is its opening; while open, endsAt is
 * now + resolveAfterMs (tracewatch re-posts before that, see spec.incidents.resend_interval), and
 * once resolved endsAt is the resolution time, which resolves it in Alertmanager.
 */
export function incidentToPostableAlert(
  event: IncidentEvent,
  o: Omit<AlertmanagerOptions, "url" | "clock">,
  nowMs: number,
): PostableAlert {
  const i = event.incident;
  const extra = Object.fromEntries(
    Object.entries(o.labels ?? {}).filter(([k, v]) => LABEL_NAME_RE.test(k) && v !== ""),
  );
  const labels = {
    ...extra,
    alertname: i.type,
    detector: i.detector,
    type: i.type,
    service: i.service,
    severity: i.severity,
  };
  const annotations: Record<string, string> = {
    summary: i.summary,
    description: i.description,
    incident_id: i.id,
    trace_count: String(i.traceCount),
    last_seen: i.lastSeenAt,
  };
  const endsAt =
    i.resolvedAt ??
    new Date(Math.max(nowMs, Date.parse(i.lastSeenAt)) + (o.resolveAfterMs ?? 300_000)).toISOString();
  const postable: PostableAlert = { labels, annotations, startsAt: i.openedAt, endsAt };
  const trace = i.traceIds[i.traceIds.length - 1];
  if (o.generatorUrl === undefined || trace === undefined) return postable;
  const link = o.generatorUrl
    .replaceAll("{traceId}", encodeURIComponent(trace))
    .replaceAll("{alertId}", encodeURIComponent(i.id))
    .replaceAll("{type}", encodeURIComponent(i.type));
  return { ...postable, generatorURL: link };
}

/** Sends each alert to Alertmanager's `POST /api/v2/alerts` as a one-element array. */
export class AlertmanagerDeliverer implements AlertDeliverer {
  readonly type = "alertmanager";
  private readonly endpoint: string;

  constructor(private readonly o: AlertmanagerOptions) {
    // The path is appended to the base URL's path; a query string (some proxies need one) stays last.
    const endpoint = new URL(o.url);
    endpoint.pathname = `${endpoint.pathname.replace(/\/+$/, "")}/api/v2/alerts`;
    this.endpoint = endpoint.toString();
  }

  deliver(alert: Alert): Promise<DeliveryResult> {
    const body = JSON.stringify([toPostableAlert(alert, this.o)]);
    return postJson(this.endpoint, body, {}, this.o, this.o.clock.now());
  }

  /** Posts the incident as one alert (re-posted while open, with endsAt on resolve). */
  deliverIncident(event: IncidentEvent): Promise<DeliveryResult> {
    const now = this.o.clock.now();
    const body = JSON.stringify([incidentToPostableAlert(event, this.o, now)]);
    return postJson(this.endpoint, body, {}, this.o, now);
  }
}
