import { setTimeout as sleep } from "node:timers/promises";
import { describeError } from "../errors.js";
import type { SinkMetrics } from "./metrics.js";
import type { DeadLetter, DeadLetterWriter, SinkLogger } from "./types.js";

/** Attempts to keep one dead letter, and the pause between them, ms. */
const WRITE_ATTEMPTS = 3;
const WRITE_PAUSE_MS = [200, 1_000];

export interface DeadLettererOptions {
  readonly sink: string;
  readonly writer: DeadLetterWriter;
  readonly logger: SinkLogger;
  readonly metrics: SinkMetrics;
  /** Called after each write settles. */
  readonly onSettled: () => void;
}

/**
 * Writes a sink's dead letters in the background with a few retries. If even that fails the whole
 * alert is logged at error level, so it is never lost silently.
 */
export class DeadLetterer {
  private inFlight = new Set<Promise<void>>();

  constructor(private readonly o: DeadLettererOptions) {}

  get pending(): number {
    return this.inFlight.size;
  }

  write(letter: DeadLetter): void {
    const p = this.keep(letter).finally(() => {
      this.inFlight.delete(p);
      this.o.onSettled();
    });
    this.inFlight.add(p);
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async keep(letter: DeadLetter): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt += 1) {
      try {
        await this.o.writer.write(letter);
        this.o.metrics.outcome(this.o.sink, "dead_lettered");
        return;
      } catch (err) {
        lastError = err;
        const pause = WRITE_PAUSE_MS[attempt];
        if (pause !== undefined) await sleep(pause, undefined, { ref: false });
      }
    }
    this.o.metrics.outcome(this.o.sink, "dropped");
    this.o.logger.error(
      {
        sink: this.o.sink,
        reason: letter.reason,
        alert: letter.alert,
        deliveryError: letter.error,
        err: describeError(lastError),
      },
      "alert could not be dead-lettered",
    );
  }
}
