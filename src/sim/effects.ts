import type { LatencyShape } from "./labels.js";

/** A forced failure of calls into `service` (optionally only from `caller`), `remaining` times. */
export interface Fault {
  readonly service: string;
  readonly caller?: string;
  /** How many more calls fail; decremented as they do. */
  remaining: number;
  /** The HTTP status the failed server span reports (databases just report an error). */
  readonly status: number;
}

/** A slowed service inside one trace. */
export interface Slowdown {
  readonly service: string;
  readonly shape: LatencyShape;
  /** network_delay: added to every call into the service, split over request and response (ms). */
  readonly addedDelayMs: number;
  /** cpu_contention: median factor applied to the service's own work (log-normal, sigma 0.5). */
  readonly slowdownMedian: number;
  /** cpu_contention: median run-queue wait per call (ms, log-normal, sigma 0.6). */
  readonly queueWaitMedianMs: number;
}

/** A caller→callee edge a canary deploy adds, with what the new callee does. */
export interface NewEdge {
  readonly caller: string;
  readonly callee: string;
  /** HTTP route of the new callee's endpoint. */
  readonly route: string;
  /** The datastore the new callee reads ("redis" or "postgres"). */
  readonly store: "redis" | "postgres";
}

/** Everything injected into one trace, as the span builder consumes it. */
export interface TraceEffects {
  slowdown: Slowdown | null;
  /** Every call into this service fails fast with 503 (the cascade origin). */
  outage: string | null;
  faults: Fault[];
  newEdge: NewEdge | null;
  /** At most this many transient failures (normal retry noise) happen in the trace. */
  transientBudget: number;
  /** Per-call probability of a transient failure while the budget lasts. */
  transientProbability: number;
  /** Whether the trace may carry the normal 404 noise. */
  allowNotFound: boolean;
}

/** Effects of a normal trace: only the background error noise, decided by the caller. */
export function normalEffects(transientBudget: number, allowNotFound: boolean): TraceEffects {
  return {
    slowdown: null,
    outage: null,
    faults: [],
    newEdge: null,
    transientBudget,
    transientProbability: 0.25,
    allowNotFound,
  };
}
