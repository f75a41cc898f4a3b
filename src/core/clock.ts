/**
 * Time as the core sees it. The live service passes a wall clock, replay drives one from span
 * event time, and tests advance a manual clock by hand. The core never reads the system time itself.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** A clock that only moves when told to: for tests and for event-time replay. */
export class ManualClock implements Clock {
  private current: number;

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** Move forward by `ms` (never backwards). */
  advance(ms: number): void {
    if (ms > 0) this.current += ms;
  }

  /** Jump to `ms` if it is later than the current time. */
  set(ms: number): void {
    if (ms > this.current) this.current = ms;
  }
}
