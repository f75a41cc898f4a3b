import { setTimeout as sleep } from "node:timers/promises";
import { describeError, TracewatchError } from "../errors.js";
import type { SinkMetrics } from "./metrics.js";
import type { DeadLetter, DeadLetterWriter, SinkLogger } from "./types.js";

/** Attempts to write one dead letter before its failure is logged; also the attempts made after close. */
const WRITE_ATTEMPTS = 3;
/** Pause after the n-th failed attempt, ms; the last one repeats while the sink runs. */
const WRITE_PAUSE_MS = [200, 1_000, 5_000, 30_000];

export interface DeadLettererOptions {
  readonly sink: string;
  readonly writer: DeadLetterWriter;
  readonly logger: SinkLogger;
  readonly metrics: SinkMetrics;
  /** Called after each write settles. */
  readonly onSettled: () => void;
}

/**
 * Writes a sink's dead letters in the background. A failing write is retried for as long as the
 * sink runs (0.2 s, 1 s, 5 s, then every 30 s), so the alert is never reported as kept before the
 * dead-letter store acknowledged it. After {@link close} a letter gets its first three attempts and
 * is then given up: logged at error level with the whole alert, and its promise rejects.
 */
export class DeadLetterer {
  private inFlight = new Set<Promise<void>>();
  private closing = false;
  private readonly stop = new AbortController();

  constructor(private readonly o: DeadLettererOptions) {}

  get pending(): number {
    return this.inFlight.size;
  }

  /** Starts writing `letter`; resolves once it is written, rejects when it was given up. */
  write(letter: DeadLetter): Promise<void> {
    const written = this.keep(letter);
    const tracked = written
      .catch(() => undefined)
      .finally(() => {
        this.inFlight.delete(tracked);
        this.o.onSettled();
      });
    this.inFlight.add(tracked);
    return written;
  }

  /** Ends the open-ended retries: pending letters get their last attempts, then are given up. */
  close(): void {
    this.closing = true;
    this.stop.abort();
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async keep(letter: DeadLetter): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      let failure: unknown;
      try {
        await this.o.writer.write(letter);
        this.o.metrics.outcome(this.o.sink, "dead_lettered");
        return;
      } catch (err) {
        failure = err;
      }
      if (attempt >= WRITE_ATTEMPTS) {
        if (this.closing) return this.giveUp(letter, failure);
        if (attempt === WRITE_ATTEMPTS) this.logRetrying(letter, failure);
      }
      await this.pause(attempt);
    }
  }

  /** The short pauses always run; the long ones end early when the sink closes. */
  private async pause(attempt: number): Promise<void> {
    const ms = WRITE_PAUSE_MS[Math.min(attempt, WRITE_PAUSE_MS.length) - 1]!;
    if (attempt < WRITE_ATTEMPTS) return sleep(ms, undefined, { ref: false });
    await sleep(ms, undefined, { ref: false, signal: this.stop.signal }).catch(() => undefined);
  }

  private logRetrying(letter: DeadLetter, err: unknown): void {
    this.o.logger.error(
      { sink: this.o.sink, alertId: letter.alert.id, reason: letter.reason, err: describeError(err) },
      "alert could not be dead-lettered yet; retrying (its trace stays unacknowledged)",
    );
  }

  private giveUp(letter: DeadLetter, err: unknown): never {
    this.o.metrics.outcome(this.o.sink, "dropped");
    this.o.logger.error(
      {
        sink: this.o.sink,
        reason: letter.reason,
        alert: letter.alert,
        deliveryError: letter.error,
        err: describeError(err),
      },
      "alert could not be dead-lettered",
    );
    throw new TracewatchError(
      "TW_SINK_DELIVERY_FAILED",
      `alert ${letter.alert.id} was neither delivered by sink "${this.o.sink}" nor dead-lettered: ${describeError(err)}`,
    );
  }
}
