import type { Alert } from "../core/alerts/alert.js";
import { Fifo } from "../core/fifo.js";
import { describeError } from "../errors.js";
import { backoffDelay } from "./backoff.js";
import { CircuitBreaker } from "./circuit-breaker.js";
import { DeadLetterer } from "./dead-letterer.js";
import { FailureLog } from "./failure-log.js";
import {
  resolveQueueOptions,
  type DeliveryQueueOptions,
  type ResolvedQueueOptions,
} from "./queue-options.js";
import { withoutUrlSecrets } from "./safe-url.js";
import { createSettlement, type Settlement } from "./settlement.js";
import type { AlertSink, DeadLetterReason, DeliveryResult, EnqueueResult } from "./types.js";

export type { DeliveryQueueOptions } from "./queue-options.js";

interface Item {
  readonly alert: Alert;
  readonly enqueuedAtMs: number;
  attempts: number;
  lastError: string;
  abandoned: boolean;
  readonly settlement: Settlement;
}

/**
 * A sink's own bounded queue with bounded concurrency, retries with exponential backoff and full
 * jitter, a circuit breaker, and dead-lettering of what cannot be delivered. `enqueue` never blocks:
 * a slow or dead destination fills only its own queue. Each alert's `settled` promise resolves when
 * it is delivered or its dead letter is written, so a caller may hold its acknowledgement on it.
 * Timers are unref()ed.
 */
export class DeliveryQueue implements AlertSink {
  readonly name: string;
  readonly type: string;
  private readonly o: ResolvedQueueOptions;
  private readonly breaker: CircuitBreaker;
  private readonly deadLetterer: DeadLetterer;
  private readonly failures: FailureLog;
  private readonly ready = new Fifo<Item>();
  private readonly sleeping = new Map<Item, NodeJS.Timeout>();
  private readonly inFlight = new Set<Item>();
  private wakeTimer: NodeJS.Timeout | null = null;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private pumpScheduled = false;
  private lastSinkError = "";
  private nextSweepMs = 0;
  private nextExpiryMs = Number.POSITIVE_INFINITY;
  private shutdownPromise: Promise<void> | null = null;

  constructor(options: DeliveryQueueOptions) {
    this.name = options.name;
    this.type = options.deliverer.type;
    this.o = resolveQueueOptions(options);
    const sink = this.name;
    this.breaker = new CircuitBreaker({
      clock: this.o.clock,
      failureThreshold: this.o.breakerFailures,
      openMs: this.o.breakerOpenMs,
      onChange: (state) => {
        if (state === "half_open") return;
        this.o.metrics.circuit(sink, state === "open");
        if (state === "open")
          this.o.logger.warn({ sink, openMs: this.o.breakerOpenMs }, "sink circuit opened");
        else this.o.logger.info({ sink }, "sink circuit closed");
      },
    });
    this.deadLetterer = new DeadLetterer({
      sink,
      writer: this.o.deadLetters,
      logger: this.o.logger,
      metrics: this.o.metrics,
      onSettled: () => this.settle(),
    });
    this.failures = new FailureLog(sink, this.o.logger);
  }

  backlog(): number {
    return this.ready.size + this.sleeping.size + this.inFlight.size;
  }

  enqueue(alert: Alert): EnqueueResult {
    const item: Item = {
      alert,
      enqueuedAtMs: this.o.clock.now(),
      attempts: 0,
      lastError: "",
      abandoned: false,
      settlement: createSettlement(),
    };
    const settled = item.settlement.promise;
    if (this.closed) {
      this.deadLetter(item, "shutdown", "sink is shut down");
      return { accepted: false, reason: "shut_down", settled };
    }
    if (this.backlog() >= this.o.capacity) {
      this.deadLetter(item, "queue_full", `queue of ${this.o.capacity} alerts is full`);
      return { accepted: false, reason: "queue_full", settled };
    }
    this.ready.push(item);
    this.schedulePump();
    return { accepted: true, settled };
  }

  /**
   * Starts deliveries on the next turn of the event loop, so enqueue costs only a push: the
   * serialising, signing and socket work never runs inside the caller's (scoring) call.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
      this.publishDepth();
    });
  }

  flush(timeoutMs = 30_000): Promise<boolean> {
    if (this.isIdle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      // A ref'd timer keeps the process alive while the caller waits (delivery timers are unref'd).
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        this.idleWaiters = this.idleWaiters.filter((w) => w !== onIdle);
        resolve(ok);
      };
      const onIdle = (): void => finish(true);
      this.idleWaiters.push(onIdle);
    });
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  private async doShutdown(): Promise<void> {
    this.closed = true;
    await this.flush(this.o.shutdownGraceMs);
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
    for (const [item, timer] of this.sleeping) {
      clearTimeout(timer);
      this.deadLetter(item, "shutdown", item.lastError || "sink shut down before delivery");
    }
    this.sleeping.clear();
    for (let item = this.ready.shift(); item !== undefined; item = this.ready.shift())
      this.deadLetter(item, "shutdown", item.lastError || "sink shut down before delivery");
    for (const item of this.inFlight) {
      // Delivered or not, it is also kept: at-least-once.
      item.abandoned = true;
      this.deadLetter(item, "shutdown", "delivery still in flight at shutdown");
    }
    this.inFlight.clear();
    this.publishDepth();
    this.deadLetterer.close();
    await this.deadLetterer.drain();
    await this.o.deliverer.shutdown?.();
  }

  private pump(): void {
    for (
      let item = this.ready.peek();
      item !== undefined && this.inFlight.size < this.o.concurrency;
      item = this.ready.peek()
    ) {
      if (this.expired(item)) {
        this.ready.shift();
        this.deadLetter(item, "expired", this.expiryError(item));
        continue;
      }
      if (!this.breaker.tryAcquire()) {
        this.sweepExpired(false);
        const untilExpiry = this.nextExpiryMs - this.o.clock.now();
        this.scheduleWake(Math.min(this.breaker.waitMs(), untilExpiry));
        return;
      }
      this.ready.shift();
      void this.attempt(item);
    }
  }

  private expired(item: Item): boolean {
    return this.o.clock.now() - item.enqueuedAtMs >= this.o.maxDeliveryMs;
  }

  /** The alert's own last error, or why it was never attempted. */
  private expiryError(item: Item): string {
    if (item.lastError !== "") return item.lastError;
    if (this.breaker.current === "closed") return "not delivered within max_delivery_time";
    return `circuit open, not attempted within max_delivery_time (sink's last error: ${this.lastSinkError})`;
  }

  /**
   * Dead-letters queued alerts past max_delivery_time while the circuit holds them back, and notes
   * when the next one expires. O(backlog), so unless forced (wake timer) at most once a second.
   */
  private sweepExpired(force: boolean): void {
    const now = this.o.clock.now();
    if (!force && now < this.nextSweepMs) return;
    this.nextSweepMs = now + 1_000;
    let earliest = Number.POSITIVE_INFINITY;
    // One turn through the queue: each item is taken out and, unless expired, put back in order.
    for (let n = this.ready.size; n > 0; n--) {
      const item = this.ready.shift()!;
      if (this.expired(item)) {
        this.deadLetter(item, "expired", this.expiryError(item));
        continue;
      }
      this.ready.push(item);
      earliest = Math.min(earliest, item.enqueuedAtMs + this.o.maxDeliveryMs);
    }
    this.nextExpiryMs = earliest;
  }

  private scheduleWake(ms: number): void {
    if (this.wakeTimer !== null) return;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = null;
        this.sweepExpired(true);
        this.pump();
        this.publishDepth();
        this.settle();
      },
      Math.max(1, ms),
    );
    this.wakeTimer.unref();
  }

  private async attempt(item: Item): Promise<void> {
    this.inFlight.add(item);
    item.attempts += 1;
    let result: DeliveryResult;
    try {
      result = await this.o.deliverer.deliver(item.alert, item.attempts);
    } catch (err) {
      result = { ok: false, retriable: true, error: describeError(err) };
    }
    // The error goes to logs, the API and dead letters: no URL in it keeps its credentials.
    if (!result.ok) result = { ...result, error: withoutUrlSecrets(result.error) };
    if (item.abandoned) return;
    this.inFlight.delete(item);
    if (result.ok) this.onDelivered(item);
    else this.onFailed(item, result);
    this.pump();
    this.publishDepth();
    this.settle();
  }

  private onDelivered(item: Item): void {
    item.settlement.resolve("delivered");
    this.breaker.success();
    this.failures.success();
    this.o.metrics.outcome(this.name, "delivered");
  }

  private onFailed(item: Item, result: Extract<DeliveryResult, { ok: false }>): void {
    this.breaker.failure();
    this.failures.failure(result.error);
    item.lastError = result.error;
    this.lastSinkError = result.error;
    if (!result.retriable) return this.deadLetter(item, "permanent_error", result.error);
    if (item.attempts >= this.o.maxAttempts) return this.deadLetter(item, "retries_exhausted", result.error);
    const delay = backoffDelay(item.attempts, this.o.backoff, this.o.random, result.retryAfterMs);
    if (this.o.clock.now() + delay - item.enqueuedAtMs >= this.o.maxDeliveryMs) {
      return this.deadLetter(item, "expired", result.error);
    }
    this.o.metrics.outcome(this.name, "retried");
    const timer = setTimeout(() => {
      this.sleeping.delete(item);
      this.ready.push(item);
      this.pump();
    }, delay);
    timer.unref();
    this.sleeping.set(item, timer);
  }

  /** The alert settles once its dead letter is written (or rejects if that is given up). */
  private deadLetter(item: Item, reason: DeadLetterReason, error: string): void {
    const { alert, attempts, enqueuedAtMs, settlement } = item;
    this.deadLetterer
      .write({ alert, sink: this.name, sinkType: this.type, reason, error, attempts, enqueuedAtMs })
      .then(() => settlement.resolve("dead_lettered"), settlement.reject);
  }

  private publishDepth(): void {
    this.o.metrics.queueDepth(this.name, this.backlog());
  }

  private isIdle(): boolean {
    return this.backlog() === 0 && this.deadLetterer.pending === 0;
  }

  private settle(): void {
    if (!this.isIdle()) return;
    for (const waiter of [...this.idleWaiters]) waiter();
  }
}
