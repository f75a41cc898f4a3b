import { setTimeout as sleep } from "node:timers/promises";
import type { Admin } from "kafkajs";
import type { Logger } from "pino";
import { describeError } from "../errors.js";
import type { HealthSignal } from "./readiness.js";

/** Options of {@link startWhenSpanTopicExists}. */
export interface SpanTopicWaitOptions {
  readonly admin: Admin;
  readonly topic: string;
  /** Whether the topic existed at start-up (then `start` runs at once). */
  readonly exists: boolean;
  /** The consumer's readiness: not ready, with the reason, while the topic is missing. */
  readonly health: HealthSignal;
  readonly logger: Logger;
  /** How often the cluster's topic list is read while waiting, ms. Default 5,000. */
  readonly intervalMs?: number;
  /** Aborted on shutdown: the wait ends without starting. */
  readonly signal: AbortSignal;
}

/**
 * The span topic belongs to its producer (the Collector, an SDK): while it is missing the service
 * stays up, says so once (a warning, and the consumer's readiness reason), reads the topic list
 * every `intervalMs` and runs `start` once the topic exists. Resolves when `start` resolved, or
 * when the wait was aborted; `start`'s failure rejects.
 */
export async function startWhenSpanTopicExists(
  o: SpanTopicWaitOptions,
  start: () => Promise<void>,
): Promise<void> {
  if (!o.exists) {
    const reason = `span topic ${o.topic} does not exist; waiting for it (its producer creates it)`;
    o.health.fail(reason);
    o.logger.warn({ topic: o.topic }, "span topic does not exist: waiting for it, not ready meanwhile");
    const started = Date.now();
    let failures = 0;
    for (;;) {
      await sleep(o.intervalMs ?? 5_000, undefined, { signal: o.signal }).catch(() => undefined);
      if (o.signal.aborted) return;
      try {
        if ((await o.admin.listTopics()).includes(o.topic)) break;
      } catch (err) {
        // The broker being away is reported by the producers' readiness; log the first failure only.
        if (failures++ === 0) o.logger.warn({ topic: o.topic, err: describeError(err) }, "topic list failed");
      }
    }
    o.logger.info(
      { topic: o.topic, waitedSeconds: Math.round((Date.now() - started) / 1000) },
      "span topic exists now: consuming",
    );
    o.health.fail("span topic appeared; joining the consumer group");
  }
  await start();
}
