import type { Message, Producer } from "kafkajs";

/** Options of {@link BatchPublisher}. */
export interface BatchPublisherOptions {
  readonly producer: Pick<Producer, "send">;
  readonly topic: string;
  /** Records sent per produce request at most. Default 500. */
  readonly maxBatch?: number;
  /** Longest a record waits for its batch, ms. Default 20. */
  readonly lingerMs?: number;
}

interface Pending {
  readonly message: Message;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Publishes records to one topic in batches (acks from all replicas). `publish` resolves when the
 * broker acknowledged the record, so a caller can hold its own acknowledgement on it.
 */
export class BatchPublisher {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly maxBatch: number;
  private readonly lingerMs: number;

  constructor(private readonly o: BatchPublisherOptions) {
    this.maxBatch = o.maxBatch ?? 500;
    this.lingerMs = o.lingerMs ?? 20;
  }

  publish(message: Message): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.send();
      else if (this.timer === null) {
        this.timer = setTimeout(() => this.send(), this.lingerMs);
        this.timer.unref();
      }
    });
  }

  /** Sends what is queued and waits for every outstanding request. */
  async flush(): Promise<void> {
    this.send();
    await this.inFlight;
  }

  private send(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    const request = this.o.producer
      .send({ topic: this.o.topic, acks: -1, messages: batch.map((p) => p.message) })
      .then(
        () => batch.forEach((p) => p.resolve()),
        (err: unknown) => batch.forEach((p) => p.reject(err)),
      );
    this.inFlight = Promise.all([this.inFlight, request]).then(() => undefined);
  }
}
