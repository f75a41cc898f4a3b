import type { Alert } from "../core/alerts/alert.js";
import { TracewatchError } from "../errors.js";
import { createSettlement } from "./settlement.js";
import type { AlertSink, DeadLetter, DeadLetterWriter, EnqueueResult } from "./types.js";

/**
 * Keeps every alert in memory, in order: for users' tests and `POST /api/v1/score`-style dry runs.
 * An accepted alert is settled (`delivered`) at once; one refused after shutdown is not kept
 * anywhere, so its settlement rejects. Unbounded by design; do not use it in a long-running service.
 */
export class InMemoryAlertSink implements AlertSink {
  readonly type = "memory";
  private readonly received: Alert[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  private closed = false;

  constructor(readonly name = "memory") {}

  /** Alerts received so far, oldest first. */
  get alerts(): readonly Alert[] {
    return this.received;
  }

  enqueue(alert: Alert): EnqueueResult {
    const settlement = createSettlement();
    if (this.closed) {
      const why = `alert ${alert.id} refused: in-memory sink "${this.name}" is shut down`;
      settlement.reject(new TracewatchError("TW_SINK_DELIVERY_FAILED", why));
      return { accepted: false, reason: "shut_down", settled: settlement.promise };
    }
    this.received.push(alert);
    this.waiters = this.waiters.filter((w) =>
      this.received.length >= w.count ? (w.resolve(), false) : true,
    );
    settlement.resolve("delivered");
    return { accepted: true, settled: settlement.promise };
  }

  /** Resolves once `count` alerts have arrived; rejects after `timeoutMs` (default 5000). */
  waitFor(count: number, timeoutMs = 5_000): Promise<readonly Alert[]> {
    if (this.received.length >= count) return Promise.resolve(this.received);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.received.length}/${count} alerts after ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve(this.received)) });
    });
  }

  /** Forgets the alerts received so far. */
  clear(): void {
    this.received.length = 0;
  }

  backlog(): number {
    return 0;
  }

  flush(): Promise<boolean> {
    return Promise.resolve(true);
  }

  shutdown(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** Dead letters kept in memory, for tests. */
export class InMemoryDeadLetterWriter implements DeadLetterWriter {
  readonly letters: DeadLetter[] = [];

  write(letter: DeadLetter): Promise<void> {
    this.letters.push(letter);
    return Promise.resolve();
  }
}
