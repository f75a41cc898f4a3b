import type { Span } from "../domain/span.js";
import type { ViewProviders } from "./api-views.js";
import type { IncidentProviders } from "./api-incidents.js";

/** Readiness of the parts the API reports on `/readyz`. */
export interface ReadinessReport {
  /** Each span source and whether it is connected (Kafka consumer joined, receiver listening). */
  readonly sources: readonly {
    readonly name: string;
    readonly connected: boolean;
    readonly detail?: string;
  }[];
  /** `loaded`: a model scores traces; `warming_up`: collecting training data (ready); `unavailable`: not ready. */
  readonly model: "loaded" | "warming_up" | "unavailable";
  /**
   * The live state of each part the service depends on (Kafka consumer and producers, model
   * store): one not ready makes the service not ready, with its reason.
   */
  readonly components?: readonly {
    readonly name: string;
    readonly ready: boolean;
    readonly reason?: string;
    /** ISO 8601 UTC. */
    readonly since?: string;
  }[];
  /** While the model is warming up: how far the first model's training data has come. */
  readonly warmUp?: WarmUpReport;
}

/** Progress towards the first model (JSON-serialisable; docs/model.md, warm-up). */
export interface WarmUpReport {
  /** Model samples the training window holds. */
  readonly samples: number;
  /** Samples the first model needs (`spec.training.min_samples`). */
  readonly minSamples: number;
  /** Traces observed since start. */
  readonly observed: number;
  /** Seconds until `minSamples` at the sample rate of the last minute; null while unknown. */
  readonly etaSeconds: number | null;
}

/** Summary of the model in use, as `GET /api/v1/models` shows it (JSON-serialisable). */
export interface ModelSummary {
  readonly version: string;
  /** ISO 8601 UTC. */
  readonly trainedAt: string;
  /** Training samples the model was fitted on. */
  readonly samples: number;
  /** Training window, ms. */
  readonly windowMs: number;
  /** Further fields (features, baselines summary, known edges count, ...). */
  readonly [key: string]: unknown;
}

/** What a retrain request did. */
export type RetrainOutcome =
  | { readonly status: "started" }
  | { readonly status: "already_running" }
  | { readonly status: "completed"; readonly version: string }
  | { readonly status: "rejected"; readonly message: string }
  | { readonly status: "failed"; readonly message: string };

/** Result of scoring one trace without emitting anything (JSON-serialisable; bigint allowed). */
export interface ScoreOutcome {
  readonly features: unknown;
  readonly anomalyScore: number | null;
  /** The alerts that would fire (not emitted, no cooldown state changed). */
  readonly alerts: readonly unknown[];
  readonly [key: string]: unknown;
}

/** Spans decoded from a request body, and the parts refused (message only). */
export interface DecodedBody {
  readonly spans: readonly Span[];
  readonly rejected: readonly { readonly message: string; readonly index?: number }[];
}

/** An alert as far as the API filters it. */
export interface ListableAlert {
  readonly type: string;
  readonly service: string;
  readonly rootService?: string;
  /** info, low, medium, high or critical. */
  readonly severity: string;
  /** ISO 8601 UTC. */
  readonly detectedAt: string;
}

/** Which alerts `GET /api/v1/alerts` lists; every filter given must match. */
export interface AlertQuery {
  readonly type?: string;
  /** The alert's service or its root service. */
  readonly service?: string;
  /** Any of these severities. */
  readonly severities?: readonly string[];
  /** detectedAt at or after, ms since the epoch. */
  readonly sinceMs?: number;
  /** detectedAt before, ms since the epoch. */
  readonly untilMs?: number;
  /** Only alerts older than this cursor (the `next` of the previous page). */
  readonly before?: number;
  /** Alerts per page. */
  readonly limit: number;
}

/** A page of alerts, newest first, and the cursor of the next page (null: no more). */
export interface AlertPage<A extends ListableAlert = ListableAlert> {
  readonly alerts: readonly A[];
  readonly next: number | null;
}

/** Recent alerts, newest first (see RecentAlerts). */
export interface AlertLog<A extends ListableAlert = ListableAlert> {
  page(query: AlertQuery): AlertPage<A>;
}

/** Everything the API serves, injected by the composition root. */
export interface ApiProviders {
  readonly readiness: () => ReadinessReport | Promise<ReadinessReport>;
  readonly alerts: AlertLog;
  /** The model in use, or null while warming up. */
  readonly model: () => ModelSummary | null;
  /** Warm-up progress while there is no model (null once there is). Default: not reported. */
  readonly warmUp?: () => WarmUpReport | null;
  readonly retrain: () => Promise<RetrainOutcome>;
  /** Decodes a score request body (native span JSON or OTLP JSON), e.g. `decodeSpans`. */
  readonly decode: (body: Uint8Array) => DecodedBody;
  /** Features, score and would-be alerts of one trace's spans; emits nothing. */
  readonly score: (spans: readonly Span[]) => ScoreOutcome | Promise<ScoreOutcome>;
  /** Incidents (GET /api/v1/incidents, /api/v1/incidents/{id}); absent: those routes are not served. */
  readonly incidents?: IncidentProviders;
  /** Service map, kept traces and model status for the dashboard; absent: those routes are not served. */
  readonly views?: ViewProviders;
}
