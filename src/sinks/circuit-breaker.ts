import type { Clock } from "../core/clock.js";

export type CircuitState = "closed" | "open" | "half_open";

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  readonly clock: Clock;
  /** Consecutive failures that open the circuit. Default 5. */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before one probe is let through, ms. Default 30000. */
  readonly openMs?: number;
  /** Called on every state change. */
  readonly onChange?: (state: CircuitState) => void;
}

/**
 * Closed → (threshold consecutive failures) → open → (openMs later) → half-open, where one probe
 * goes through: success closes, failure re-opens for another openMs.
 */
export class CircuitBreaker {
  private state: CircuitState = "closed";
  private failures = 0;
  private openUntil = 0;
  private probing = false;
  private readonly clock: Clock;
  private readonly threshold: number;
  private readonly openMs: number;
  private readonly onChange: (state: CircuitState) => void;

  constructor(options: CircuitBreakerOptions) {
    this.clock = options.clock;
    this.threshold = options.failureThreshold ?? 5;
    this.openMs = options.openMs ?? 30_000;
    this.onChange = options.onChange ?? (() => undefined);
  }

  get current(): CircuitState {
    return this.state;
  }

  /** Ms until a probe may go, 0 when a request may go now. */
  waitMs(): number {
    if (this.state === "closed") return 0;
    if (this.state === "half_open") return this.probing ? this.openMs : 0;
    return Math.max(0, this.openUntil - this.clock.now());
  }

  /** Asks to send one request; true means go (and report its result). */
  tryAcquire(): boolean {
    if (this.state === "closed") return true;
    if (this.state === "open") {
      if (this.clock.now() < this.openUntil) return false;
      this.transition("half_open");
    }
    if (this.probing) return false;
    this.probing = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.probing = false;
    if (this.state !== "closed") this.transition("closed");
  }

  failure(): void {
    this.failures += 1;
    if (this.state === "half_open") {
      this.probing = false;
      this.open();
    } else if (this.state === "closed" && this.failures >= this.threshold) {
      this.open();
    }
  }

  private open(): void {
    this.openUntil = this.clock.now() + this.openMs;
    this.transition("open");
  }

  private transition(state: CircuitState): void {
    this.state = state;
    this.onChange(state);
  }
}
