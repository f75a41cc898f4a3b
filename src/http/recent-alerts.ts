import type { AlertLog, AlertPage, AlertQuery, ListableAlert } from "./api-types.js";

/**
 * A fixed-capacity ring of the most recent alerts for `GET /api/v1/alerts`. `push` is O(1);
 * `page` scans newest first and stops one match past `limit`.
 *
 * Each alert gets a sequence number in push order; a page's `next` cursor is the sequence number
 * of its last (oldest) alert, and the following page starts below it, so pages neither repeat nor
 * skip alerts while new ones arrive. An alert that has left the ring is no longer listed.
 */
export class RecentAlerts<A extends ListableAlert> implements AlertLog<A> {
  private readonly items: (A | undefined)[];
  private next = 0;
  private count = 0;
  /** Alerts pushed so far: the i-th newest (1-based) has sequence number `pushed - i`. */
  private pushed = 0;

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
    this.pushed++;
  }

  get size(): number {
    return this.count;
  }

  /** Newest first, at most `limit`; see {@link AlertQuery} for the filters. */
  list(query: AlertQuery): readonly A[] {
    return this.page(query).alerts;
  }

  /** One page, newest first, and the cursor of the next page (null on the last). */
  page(query: AlertQuery): AlertPage<A> {
    const alerts: A[] = [];
    const first = query.before === undefined ? 1 : Math.max(1, this.pushed - query.before + 1);
    for (let i = first; i <= this.count; i++) {
      const alert = this.items[(this.next - i + this.capacity) % this.capacity];
      if (alert === undefined || !matches(alert, query)) continue;
      if (alerts.length === query.limit) return { alerts, next: this.pushed - i + 1 };
      alerts.push(alert);
    }
    return { alerts, next: null };
  }
}

/** `service` matches the alert's service or its root service; the time range is [since, until). */
function matches(alert: ListableAlert, q: AlertQuery): boolean {
  if (q.type !== undefined && alert.type !== q.type) return false;
  if (q.service !== undefined && alert.service !== q.service && alert.rootService !== q.service) return false;
  if (q.severities !== undefined && !q.severities.includes(alert.severity)) return false;
  if (q.sinceMs === undefined && q.untilMs === undefined) return true;
  const at = Date.parse(alert.detectedAt);
  return (q.sinceMs === undefined || at >= q.sinceMs) && (q.untilMs === undefined || at < q.untilMs);
}
