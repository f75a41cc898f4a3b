import type { Logger } from "pino";
import type { Alert } from "../core/alerts/alert.js";
import type { Clock } from "../core/clock.js";
import type { Incident, IncidentEvent } from "../core/incidents/incident.js";
import { IncidentTracker } from "../core/incidents/tracker.js";
import type { Config } from "../config/index.js";
import type { IncidentNotifier } from "../sinks/incident-notifier.js";
import type { IncidentStore } from "./incident-store.js";

/** Alerts held while the saved incidents load, at most. */
const MAX_WAITING = 10_000;

/** Options of {@link Incidents}. */
export interface IncidentsOptions {
  readonly config: Config;
  readonly clock: Clock;
  readonly store: IncidentStore;
  /** Sinks notified per incident; none in `notify: trace` mode. */
  readonly notifier: IncidentNotifier;
  readonly logger: Logger;
}

/**
 * The service's incidents: the tracker fed by every emitted alert, its events sent to the sinks
 * notified per incident, and each changed incident's state saved on the next tick (the incidents
 * topic, or incidents.json without Kafka). {@link start} takes back the saved state.
 */
export class Incidents {
  readonly tracker: IncidentTracker;
  private readonly dirty = new Map<string, Incident>();
  private saving: Promise<void> = Promise.resolve();
  private saveFailures = 0;
  /** Alerts that came while the saved state was loading; null once it is loaded. */
  private waiting: Alert[] | null = [];
  private loading: Promise<void> = Promise.resolve();

  constructor(private readonly o: IncidentsOptions) {
    const inc = o.config.spec.incidents;
    this.tracker = new IncidentTracker({
      groupWindowMs: inc.group_window,
      quietPeriodMs: inc.quiet_period,
      maxResolved: inc.max_resolved,
    });
  }

  /**
   * Starts loading the saved incidents (read to the end) without holding up the start: alerts that
   * come meanwhile wait and ticks do nothing until it is loaded. A load that fails is logged and
   * the incidents start afresh. The promise resolves once loaded.
   */
  start(): Promise<void> {
    this.loading = this.o.store
      .load(this.o.config.metadata.name)
      .then((saved) => {
        this.tracker.restore(saved);
        const open = this.tracker.openIncidents().length;
        this.o.logger.info({ incidents: saved.length, open }, "incidents restored");
      })
      .catch((err: unknown) => this.o.logger.error({ err }, "saved incidents not loaded: starting afresh"))
      .then(() => {
        const waiting = this.waiting ?? [];
        this.waiting = null;
        for (const alert of waiting) this.observe(alert);
      });
    return this.loading;
  }

  /** Adds an emitted alert to its incident. */
  observe(alert: Alert): void {
    if (this.waiting !== null) {
      // Bounded like the sinks' queues: past it the alert counts on the topic only.
      if (this.waiting.length < MAX_WAITING) this.waiting.push(alert);
      return;
    }
    this.emit(this.tracker.observe(alert));
    const current = this.tracker.openFor(alert.type, alert.service);
    if (current !== undefined) this.dirty.set(current.id, current);
  }

  /** Resolves quiet incidents, re-posts open ones where due, saves what changed. */
  tick(nowMs: number): void {
    if (this.waiting !== null) return;
    this.emit(this.tracker.tick(nowMs));
    this.o.notifier.tick(nowMs, this.tracker.openIncidents());
    void this.save();
  }

  /** Saves what changed and delivers what waits (for up to `graceMs`). */
  async shutdown(graceMs = 5_000): Promise<void> {
    await this.loading;
    await this.save();
    await this.o.notifier.shutdown(graceMs);
  }

  private emit(events: readonly IncidentEvent[]): void {
    for (const e of events) {
      this.dirty.set(e.incident.id, e.incident);
      this.o.logger.info(
        { incidentId: e.incident.id, event: e.kind, type: e.incident.type, service: e.incident.service },
        "incident",
      );
      this.o.notifier.notify(e);
    }
  }

  /** One save at a time; a failed save keeps its incidents dirty for the next one. */
  private save(): Promise<void> {
    this.saving = this.saving.then(async () => {
      if (this.dirty.size === 0) return;
      const changed = [...this.dirty.values()];
      this.dirty.clear();
      try {
        await this.o.store.save(changed, () => this.tracker.list());
        if (this.saveFailures > 0)
          this.o.logger.info({ failures: this.saveFailures }, "incidents saved again");
        this.saveFailures = 0;
      } catch (err) {
        for (const i of changed) if (!this.dirty.has(i.id)) this.dirty.set(i.id, i);
        if (this.saveFailures === 0) this.o.logger.error({ err }, "incidents not saved");
        this.saveFailures += 1;
      }
    });
    return this.saving;
  }
}
