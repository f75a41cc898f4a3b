import type { Clock } from "../core/clock.js";
import type { BackoffOptions } from "./backoff.js";
import { noopSinkMetrics, type SinkMetrics } from "./metrics.js";
import { silentLogger, type AlertDeliverer, type DeadLetterWriter, type SinkLogger } from "./types.js";

/** Options of {@link DeliveryQueue}; every number has a production default. */
export interface DeliveryQueueOptions {
  readonly name: string;
  readonly deliverer: AlertDeliverer;
  readonly deadLetters: DeadLetterWriter;
  readonly clock: Clock;
  readonly logger?: SinkLogger;
  readonly metrics?: SinkMetrics;
  /** Alerts held at most (queued + waiting to retry + in flight); beyond it they are dead-lettered. Default 10000. */
  readonly capacity?: number;
  /** Deliveries in flight at once. Default 4. */
  readonly concurrency?: number;
  /** Attempts per alert including the first. Default 6 (5 retries). */
  readonly maxAttempts?: number;
  readonly backoff?: BackoffOptions;
  /** An alert not delivered this long after it was enqueued is dead-lettered, ms. Default 600000. */
  readonly maxDeliveryMs?: number;
  /** Consecutive failures that open the circuit. Default 5. */
  readonly breakerFailures?: number;
  /** How long an open circuit waits before one probe, ms. Default 30000. */
  readonly breakerOpenMs?: number;
  /** How long shutdown() waits for the backlog before dead-lettering it, ms. Default 5000. */
  readonly shutdownGraceMs?: number;
  /** Random source of the backoff jitter, in [0, 1). Default Math.random. */
  readonly random?: () => number;
}

export type ResolvedQueueOptions = Required<DeliveryQueueOptions>;

/** Default of {@link DeliveryQueueOptions.shutdownGraceMs}, ms. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 5_000;

/** Fills in the defaults documented on {@link DeliveryQueueOptions}. */
export function resolveQueueOptions(options: DeliveryQueueOptions): ResolvedQueueOptions {
  return {
    logger: silentLogger,
    metrics: noopSinkMetrics,
    capacity: 10_000,
    concurrency: 4,
    maxAttempts: 6,
    backoff: {},
    maxDeliveryMs: 600_000,
    breakerFailures: 5,
    breakerOpenMs: 30_000,
    shutdownGraceMs: DEFAULT_SHUTDOWN_GRACE_MS,
    random: Math.random,
    ...options,
  };
}
