import type { Alert } from "../core/alerts/alert.js";
import type { AlertSink, DeadLetter, DeadLetterWriter, EnqueueResult } from "./types.js";

/**
 * Keeps every alert in memory, in order: for users' tests and `POST /api/v1/score`-style dry runs.
 * Unbounded by design; do not use it in a long-running service.
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
    if (this.closed) return { accepted: false, reason: "shut_down" };
    this.received.push(alert);
    this.waiters = this.waiters.filter((w) =>
      this.received.length >= w.count ? (w.resolve(), false) : true,
    );
    return { accepted: true };
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
