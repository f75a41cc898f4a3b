import type { SinkLogger } from "./types.js";

/**
 * Logs a sink's delivery failures once per failure streak, with the count when it recovers, so a
 * dead receiver gives two log lines, not one per attempt.
 */
export class FailureLog {
  private streak = 0;

  constructor(
    private readonly sink: string,
    private readonly logger: SinkLogger,
  ) {}

  failure(error: string): void {
    this.streak += 1;
    if (this.streak === 1) this.logger.warn({ sink: this.sink, err: error }, "sink delivery failing");
  }

  success(): void {
    if (this.streak > 0)
      this.logger.info({ sink: this.sink, failedAttempts: this.streak }, "sink delivery recovered");
    this.streak = 0;
  }
}
