import { Gauge, type Registry } from "prom-client";
import type { Clock } from "../core/clock.js";
import { describeError } from "../errors.js";
import type { HealthSignal } from "../kafka/health.js";

/** One part the service needs to do its work, as `/readyz` reports it. */
export interface ComponentReadiness {
  readonly name: string;
  readonly ready: boolean;
  /** Why it is not ready (absent when ready). */
  readonly reason?: string;
  /** Since when it is in this state, ISO 8601 UTC. */
  readonly since: string;
}

export type { HealthSignal };

/** Options of {@link Readiness.component}. */
export interface ComponentOptions {
  /** Reason reported until the first `ok()`. Default: ready from the start. */
  readonly initially?: string;
  /**
   * Checks the component again while it is failing (a metadata request, a test write); it
   * recovers when the check resolves. Default: only a later `ok()` recovers it.
   */
  readonly probe?: () => Promise<void>;
  /** How often `probe` runs while failing, ms. Default 2,000. */
  readonly probeIntervalMs?: number;
  /**
   * Reported when `ok()` was not called for `staleAfterMs` while ready (a consumer that stopped
   * fetching). Default: never stale.
   */
  readonly staleAfterMs?: number;
}

interface State {
  ready: boolean;
  reason: string | undefined;
  /** The last failed probe's error, while failing. */
  probeError: string | undefined;
  sinceMs: number;
  lastOkMs: number;
  probe: NodeJS.Timeout | null;
}

/**
 * The live state of each part the service depends on (Kafka consumer, producers, model store),
 * kept up to date by watchers and read by `/readyz`: a part that fails is not ready with its
 * reason until it works again, which it shows by itself (a fetch, a send, a passing probe).
 * `tracewatch_component_ready{component}` is 1 or 0 per part.
 */
export class Readiness {
  private readonly states = new Map<string, State>();
  private readonly options = new Map<string, ComponentOptions>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    registry: Registry,
  ) {
    const report = () => this.report();
    new Gauge({
      name: "tracewatch_component_ready",
      help: "1 when the component works (what /readyz reports), 0 when it does not.",
      labelNames: ["component"],
      registers: [registry],
      // Read at each scrape, so a consumer gone stale shows without anyone asking /readyz.
      collect() {
        for (const c of report()) this.set({ component: c.name }, c.ready ? 1 : 0);
      },
    });
  }

  /** Registers a component; its signal is how watchers report on it. */
  component(name: string, options: ComponentOptions = {}): HealthSignal {
    const now = this.clock.now();
    const ready = options.initially === undefined;
    this.states.set(name, {
      ready,
      reason: options.initially,
      probeError: undefined,
      sinceMs: now,
      lastOkMs: now,
      probe: null,
    });
    this.options.set(name, options);
    return { ok: () => this.ok(name), fail: (reason) => this.fail(name, reason) };
  }

  /** Every component's state now (a ready one that went stale is reported not ready). */
  report(): ComponentReadiness[] {
    const now = this.clock.now();
    return [...this.states].map(([name, s]) => {
      const staleAfter = this.options.get(name)?.staleAfterMs;
      if (s.ready && staleAfter !== undefined && now - s.lastOkMs > staleAfter) {
        const reason = `no sign of life for ${Math.round((now - s.lastOkMs) / 1000)} s`;
        return { name, ready: false, reason, since: new Date(s.lastOkMs + staleAfter).toISOString() };
      }
      const reason =
        s.probeError === undefined ? s.reason : `${s.reason ?? "failing"}; probe: ${s.probeError}`;
      return {
        name,
        ready: s.ready,
        ...(reason === undefined ? {} : { reason }),
        since: new Date(s.sinceMs).toISOString(),
      };
    });
  }

  /** Stops the probes; idempotent. */
  close(): void {
    this.closed = true;
    for (const s of this.states.values()) this.stopProbe(s);
  }

  private ok(name: string): void {
    const s = this.states.get(name);
    if (s === undefined) return;
    const now = this.clock.now();
    s.lastOkMs = now;
    this.stopProbe(s);
    if (!s.ready) {
      s.ready = true;
      s.reason = undefined;
      s.probeError = undefined;
      s.sinceMs = now;
    }
  }

  private fail(name: string, reason: string): void {
    const s = this.states.get(name);
    if (s === undefined) return;
    if (s.ready || s.reason !== reason) s.sinceMs = this.clock.now();
    s.ready = false;
    s.reason = reason;
    this.startProbe(name, s);
  }

  private startProbe(name: string, s: State): void {
    const options = this.options.get(name);
    const probe = options?.probe;
    if (probe === undefined || s.probe !== null || this.closed) return;
    let running = false;
    s.probe = setInterval(() => {
      if (running) return;
      running = true;
      probe().then(
        () => {
          running = false;
          this.ok(name);
        },
        (err: unknown) => {
          running = false;
          if (s.probe !== null) s.probeError = describeError(err).slice(0, 300);
        },
      );
    }, options?.probeIntervalMs ?? 2_000);
    s.probe.unref();
  }

  private stopProbe(s: State): void {
    if (s.probe !== null) clearInterval(s.probe);
    s.probe = null;
  }
}
