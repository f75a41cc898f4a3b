import type { Alert } from "../core/alerts/alert.js";
import type { AlertSink, EnqueueResult } from "./types.js";

/**
 * Hands every alert to every sink. `dispatch` only enqueues (each sink has its own bounded queue),
 * so it costs microseconds whatever the sinks are doing and one slow sink never delays another.
 */
export class AlertDispatcher {
  constructor(private readonly sinks: readonly AlertSink[]) {}

  /** Enqueues on every sink; the result per sink name (refused alerts go to the dead letters). */
  dispatch(alert: Alert): Record<string, EnqueueResult> {
    const results: Record<string, EnqueueResult> = {};
    for (const sink of this.sinks) results[sink.name] = sink.enqueue(alert);
    return results;
  }

  /**
   * Enqueues on every sink like {@link dispatch} (returning as soon as it is queued everywhere);
   * the promise resolves once every sink delivered or dead-lettered the alert, and rejects when a
   * sink gave up on it without keeping it (see `EnqueueResult.settled`).
   */
  async dispatchSettled(alert: Alert): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.enqueue(alert).settled));
  }

  /** Backlog per sink name. */
  backlog(): Record<string, number> {
    return Object.fromEntries(this.sinks.map((s) => [s.name, s.backlog()]));
  }

  /** Waits until every sink is idle or `timeoutMs` passed; true when all drained. */
  async flush(timeoutMs = 30_000): Promise<boolean> {
    const results = await Promise.all(this.sinks.map((s) => s.flush(timeoutMs)));
    return results.every(Boolean);
  }

  /** Shuts every sink down (each flushes for its grace period, then dead-letters the rest). */
  async shutdown(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.shutdown()));
  }
}
