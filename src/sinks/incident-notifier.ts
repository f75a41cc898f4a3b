import type { Clock } from "../core/clock.js";
import type { Incident, IncidentEvent } from "../core/incidents/incident.js";
import { describeError } from "../errors.js";
import { backoffDelay, type BackoffOptions } from "./backoff.js";
import type { IncidentDeliverer } from "./factory.js";
import type { DeliveryResult, SinkLogger } from "./types.js";

/** Options of {@link IncidentNotifier}. */
export interface IncidentNotifierOptions {
  /** The sinks notified per incident (webhook, alertmanager), by name. */
  readonly channels: readonly { readonly name: string; readonly deliverer: IncidentDeliverer }[];
  readonly clock: Clock;
  readonly logger: SinkLogger;
  /** Open incidents are posted again this often to sinks that need it (Alertmanager), ms. Default 60000. */
  readonly resendIntervalMs?: number;
  /** Events waiting per sink at most; past it the oldest is dropped (and counted in the log). Default 1000. */
  readonly maxPending?: number;
  /** An event not delivered this long after it was queued is dropped, ms. Default 600000. */
  readonly maxDeliveryMs?: number;
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
}

interface Pending {
  readonly event: IncidentEvent;
  readonly queuedAtMs: number;
  attempts: number;
  notBeforeMs: number;
}

interface Channel {
  readonly name: string;
  readonly deliverer: IncidentDeliverer;
  /** Alertmanager forgets an alert after its endsAt: open incidents are re-posted. */
  readonly resends: boolean;
  readonly queue: Pending[];
  lastResendMs: number;
  busy: Promise<void> | null;
  dropped: number;
}

/**
 * Delivers incident events to the sinks notified per incident, in order per sink, one request at
 * a time, retrying with backoff. Driven by {@link tick} (the service's one scheduler): no timers.
 * An incident's state is kept on the incidents topic (or file), so an event given up here loses a
 * notification, never the incident.
 */
export class IncidentNotifier {
  private readonly channels: Channel[];
  private readonly o: IncidentNotifierOptions;
  private closed = false;

  constructor(options: IncidentNotifierOptions) {
    this.o = options;
    this.channels = options.channels.map((c) => ({
      name: c.name,
      deliverer: c.deliverer,
      resends: c.deliverer.type === "alertmanager",
      queue: [],
      lastResendMs: options.clock.now(),
      busy: null,
      dropped: 0,
    }));
  }

  /** True when at least one sink is notified per incident. */
  get active(): boolean {
    return this.channels.length > 0;
  }

  /** Queues the event on every sink and starts sending. */
  notify(event: IncidentEvent): void {
    if (this.closed) return;
    const now = this.o.clock.now();
    for (const c of this.channels) this.push(c, event, now);
    this.pump(now);
  }

  /** Re-posts open incidents where due, retries what waits and drops what expired. */
  tick(nowMs: number, open: readonly Incident[]): void {
    if (this.closed) return;
    const every = this.o.resendIntervalMs ?? 60_000;
    for (const c of this.channels) {
      if (!c.resends || nowMs - c.lastResendMs < every) continue;
      c.lastResendMs = nowMs;
      for (const incident of open) this.push(c, { kind: "updated", incident }, nowMs);
    }
    this.pump(nowMs);
  }

  /** Events not yet delivered, all sinks. */
  backlog(): number {
    return this.channels.reduce((n, c) => n + c.queue.length, 0);
  }

  /** Sends what waits until all is delivered or `timeoutMs` passed; true when nothing is left. */
  async flush(timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.backlog() > 0 && Date.now() < deadline) {
      for (const c of this.channels) for (const p of c.queue) p.notBeforeMs = 0;
      this.pump(this.o.clock.now());
      await Promise.race([
        Promise.all(this.channels.map((c) => c.busy)),
        new Promise((r) => setTimeout(r, 100).unref()),
      ]);
    }
    return this.backlog() === 0;
  }

  /** Flushes for up to `graceMs`, then stops; idempotent. */
  async shutdown(graceMs = 5_000): Promise<void> {
    if (this.closed) return;
    await this.flush(graceMs);
    this.closed = true;
    for (const c of this.channels) {
      if (c.queue.length > 0)
        this.o.logger.warn(
          { sink: c.name, events: c.queue.length },
          "incident events not delivered at shutdown",
        );
      c.queue.length = 0;
    }
  }

  private push(c: Channel, event: IncidentEvent, now: number): void {
    // A re-post replaces a waiting state of the same incident: only the latest state matters there.
    if (c.resends) {
      const i = c.queue.findIndex((p, k) => k > 0 && p.event.incident.id === event.incident.id);
      if (i > 0) c.queue.splice(i, 1);
    }
    c.queue.push({ event, queuedAtMs: now, attempts: 0, notBeforeMs: 0 });
    const max = this.o.maxPending ?? 1_000;
    if (c.queue.length > max) {
      // The head may be in flight: the oldest after it goes.
      c.queue.splice(c.busy === null ? 0 : 1, 1);
      c.dropped += 1;
      this.o.logger.warn({ sink: c.name, dropped: c.dropped }, "incident events dropped: too many waiting");
    }
  }

  private pump(now: number): void {
    for (const c of this.channels) {
      if (c.busy !== null) continue;
      const head = c.queue[0];
      if (head === undefined || head.notBeforeMs > now) continue;
      c.busy = this.send(c, head).finally(() => {
        c.busy = null;
        if (!this.closed) this.pump(this.o.clock.now());
      });
    }
  }

  private async send(c: Channel, p: Pending): Promise<void> {
    p.attempts += 1;
    let result: DeliveryResult;
    try {
      result = await c.deliverer.deliverIncident(p.event, p.attempts);
    } catch (err) {
      result = { ok: false, retriable: true, error: describeError(err) };
    }
    const now = this.o.clock.now();
    if (result.ok) {
      c.queue.shift();
      return;
    }
    const expired = now - p.queuedAtMs >= (this.o.maxDeliveryMs ?? 600_000);
    if (!result.retriable || expired) {
      c.queue.shift();
      this.o.logger.error(
        { sink: c.name, incidentId: p.event.incident.id, attempts: p.attempts, error: result.error },
        "incident event not delivered",
      );
      return;
    }
    if (p.attempts === 1)
      this.o.logger.warn(
        { sink: c.name, incidentId: p.event.incident.id, error: result.error },
        "incident event delivery failed, retrying",
      );
    p.notBeforeMs =
      now + backoffDelay(p.attempts, this.o.backoff ?? {}, this.o.random ?? Math.random, result.retryAfterMs);
  }
}
