import type { Consumer, Producer } from "kafkajs";
import { describeError } from "../errors.js";

/** What a watcher tells the readiness of one component (see service/readiness.ts). */
export interface HealthSignal {
  ok(): void;
  fail(reason: string): void;
}

/**
 * Follows a consumer's live state from its instrumentation events: each completed fetch (also
 * the empty ones kafkajs makes while partitions are paused) says it works; a crash, a disconnect
 * or a stop says it does not. kafkajs restarts a consumer after a retriable crash by itself, so
 * the next fetch after that restart makes it ready again.
 */
export function watchConsumer(consumer: Consumer, health: HealthSignal): void {
  const { FETCH, CRASH, DISCONNECT, STOP } = consumer.events;
  consumer.on(FETCH, () => health.ok());
  consumer.on(CRASH, ({ payload }) =>
    health.fail(
      `consumer crashed (${describeError(payload.error)}); ${payload.restart ? "kafkajs restarts it" : "it will not restart"}`,
    ),
  );
  consumer.on(DISCONNECT, () => health.fail("consumer disconnected"));
  consumer.on(STOP, () => health.fail("consumer stopped"));
}

/**
 * Follows a producer's live state from the outcome of its sends: a failed send (after kafkajs'
 * own retries) makes it not ready, the next successful one ready again. Wraps `send` and
 * `sendBatch` of this instance; callers see the same results and errors.
 */
export function watchProducer(producer: Producer, health: HealthSignal): void {
  const observe =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        const result = await fn(...args);
        health.ok();
        return result;
      } catch (err) {
        health.fail(`send failed: ${describeError(err)}`);
        throw err;
      }
    };
  producer.send = observe(producer.send.bind(producer));
  producer.sendBatch = observe(producer.sendBatch.bind(producer));
  producer.on(producer.events.DISCONNECT, () => health.fail("producer disconnected"));
}
