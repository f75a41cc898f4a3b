import type { AlertLog, ListableAlert } from "./api-types.js";

/**
 * A fixed-capacity ring of the most recent alerts for `GET /api/v1/alerts`. `push` is O(1);
 * `list` scans newest first and stops at `limit` matches.
 */
export class RecentAlerts<A extends ListableAlert> implements AlertLog<A> {
  private readonly items: (A | undefined)[];
  private next = 0;
  private count = 0;

  /** @param capacity alerts kept (spec.alerting.recent_alerts, default 1000). */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<A | undefined>(capacity);
  }

  push(alert: A): void {
    this.items[this.next] = alert;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Newest first; `service` matches the alert's service or its root service. */
  list(filter: { type?: string; service?: string; limit: number }): A[] {
    const out: A[] = [];
    for (let i = 1; i <= this.count && out.length < filter.limit; i++) {
      const alert = this.items[(this.next - i + this.capacity) % this.capacity];
      if (alert === undefined) continue;
      if (filter.type !== undefined && alert.type !== filter.type) continue;
      if (
        filter.service !== undefined &&
        alert.service !== filter.service &&
        alert.rootService !== filter.service
      )
        continue;
      out.push(alert);
    }
    return out;
  }
}
