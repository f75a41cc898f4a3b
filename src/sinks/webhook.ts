import type { Alert } from "../core/alerts/alert.js";
import type { IncidentEvent } from "../core/incidents/incident.js";
import type { Clock } from "../core/clock.js";
import { postJson, type HttpPostOptions } from "./http.js";
import type { Secret } from "./secret.js";
import { signingKey, signWebhook } from "./standard-webhooks.js";
import type { AlertDeliverer, DeliveryResult } from "./types.js";

/** Options of {@link WebhookDeliverer}. */
export interface WebhookOptions extends HttpPostOptions {
  /** Endpoint receiving the alert JSON. */
  readonly url: string;
  /** Signing secret, `whsec_<base64 of 24 to 64 bytes>` per Standard Webhooks. None: unsigned. */
  readonly secret?: Secret;
  /** Extra request headers (e.g. an Authorization header); they can not replace the webhook-* headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Time of the webhook-timestamp header. */
  readonly clock: Clock;
  /** User-Agent header. Default "tracewatch-webhook/1". */
  readonly userAgent?: string;
}

/**
 * POSTs each alert as JSON, signed per Standard Webhooks: `webhook-id` is the alert id (the same
 * on every retry, so receivers deduplicate), `webhook-timestamp` the attempt's Unix seconds, and
 * `webhook-signature` `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
 */
export class WebhookDeliverer implements AlertDeliverer {
  readonly type = "webhook";
  private readonly key: Buffer | null;

  constructor(private readonly o: WebhookOptions) {
    this.key = o.secret === undefined ? null : signingKey(o.secret);
  }

  deliver(alert: Alert): Promise<DeliveryResult> {
    return this.post(alert.id, JSON.stringify(alert));
  }

  /**
   * POSTs the incident event (schemas/incident.v1.json), signed like alerts; `webhook-id` is
   * `<incident id>.<revision>`, the same on every retry of that state.
   */
  deliverIncident(event: IncidentEvent): Promise<DeliveryResult> {
    const payload = incidentPayload(event);
    return this.post(payload.id, JSON.stringify(payload));
  }

  private post(id: string, body: string): Promise<DeliveryResult> {
    const now = this.o.clock.now();
    const signature = signWebhook(id, now / 1000, body, this.key);
    const headers = {
      ...this.o.headers,
      "user-agent": this.o.userAgent ?? "tracewatch-webhook/1",
      ...signature,
    };
    return postJson(this.o.url, body, headers, this.o, now);
  }
}

/** The webhook body of an incident event, version 1 (schemas/incident.v1.json). */
export interface IncidentPayload {
  readonly version: 1;
  /** `<incident id>.<revision>`: the same for a redelivery of the same state. */
  readonly id: string;
  readonly event: "incident.opened" | "incident.updated" | "incident.resolved";
  readonly incident: IncidentEvent["incident"];
}

export function incidentPayload(event: IncidentEvent): IncidentPayload {
  const i = event.incident;
  return { version: 1, id: `${i.id}.${i.revision}`, event: `incident.${event.kind}`, incident: i };
}
