import type { Alert } from "../../../src/core/alerts/alert.js";
import { ManualClock } from "../../../src/core/clock.js";
import { loadConfig } from "../../../src/config/index.js";
import type { Span } from "../../../src/domain/span.js";
import type { CompletedTrace } from "../../../src/domain/trace.js";
import { TracePipeline, type PipelineOutputs } from "../../../src/pipeline/trace-pipeline.js";
import { buildDetectionCore } from "../../../src/service/detector.js";
import { AlertDispatcher } from "../../../src/sinks/dispatcher.js";
import { DeliveryQueue } from "../../../src/sinks/queue.js";
import type {
  AlertDeliverer,
  DeadLetter,
  DeadLetterWriter,
  DeliveryResult,
} from "../../../src/sinks/types.js";

/** A promise with its resolvers, for steering a fake from the test. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** Resolves after `ms` of real time (the queues' pumps and dead-letter writes run meanwhile). */
export const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Where a promise stands now, without waiting for it. */
export async function state(p: Promise<unknown>): Promise<"pending" | "resolved" | "rejected"> {
  const marker = Symbol("pending");
  try {
    return (await Promise.race([p, wait(0).then(() => marker)])) === marker ? "pending" : "resolved";
  } catch {
    return "rejected";
  }
}

const T0 = 1_700_000_000_000_000_000n;

/**
 * A trace the seed's cascade_failure rule fires on without a model (6 error spans in 4 services).
 * `n` makes both the trace id and the likely origin (the deepest erroring service) distinct, so the
 * per-origin cooldown does not merge two traces.
 */
export function cascadeTrace(n: number, completedAtMs = 0): CompletedTrace {
  const traceId = (0xc0de0000 + n).toString(16).padStart(32, "0");
  const services = ["gateway", "orders", "payment", "stock", "ledger", `db-${n}`];
  const spans: Span[] = services.map((service, i) => ({
    traceId,
    spanId: (i + 1).toString(16).padStart(16, "0"),
    parentSpanId: i === 0 ? null : i.toString(16).padStart(16, "0"),
    service,
    name: `${service} call`,
    kind: "SERVER",
    startTimeUnixNano: T0 + BigInt(i) * 1_000_000n,
    endTimeUnixNano: T0 + BigInt(100 - i) * 1_000_000n,
    status: "ERROR",
    attributes: {},
  }));
  return { traceId, spans, reason: "root", completedAtMs };
}

/** A deliverer whose every attempt waits for the test to answer it. */
export class SteeredDeliverer implements AlertDeliverer {
  readonly type = "steered";
  readonly attempts: { alert: Alert; answer: Deferred<DeliveryResult> }[] = [];

  deliver(alert: Alert): Promise<DeliveryResult> {
    const answer = deferred<DeliveryResult>();
    this.attempts.push({ alert, answer });
    return answer.promise;
  }
}

/** A dead-letter store whose writes wait for the test (or fail while `failing`). */
export class SteeredDeadLetters implements DeadLetterWriter {
  readonly writes: { letter: DeadLetter; done: Deferred<void> }[] = [];
  failing = false;

  write(letter: DeadLetter): Promise<void> {
    if (this.failing) return Promise.reject(new Error("dead-letter topic unavailable"));
    const done = deferred<void>();
    this.writes.push({ letter, done });
    return done.promise;
  }
}

/** A sink queue (one attempt, 10 ms shutdown grace) whose deliveries and dead letters the test answers. */
export function steeredQueue(clock: ManualClock, options: { capacity?: number } = {}) {
  const deliverer = new SteeredDeliverer();
  const deadLetters = new SteeredDeadLetters();
  const q = new DeliveryQueue({
    name: "hook",
    deliverer,
    deadLetters,
    clock,
    maxAttempts: 1,
    shutdownGraceMs: 10,
    ...options,
  });
  return { q, deliverer, deadLetters };
}

const CONFIG = `
apiVersion: aiops/v1
kind: TraceAnomalyDetector
metadata:
  name: durability
spec:
  training: { min_samples: 10000 }
`;

/** The service's pipeline (seed rules, no model) with one queued sink in front of the fakes. */
export function pipelineWithSink(outputs: Partial<PipelineOutputs> = {}) {
  const clock = new ManualClock(1_700_000_000_000);
  const core = buildDetectionCore(loadConfig({ text: CONFIG }, {}), clock);
  const { q: sink, deliverer, deadLetters } = steeredQueue(clock);
  const dispatcher = new AlertDispatcher([sink]);
  const scored: string[] = [];
  const pipeline = new TracePipeline({
    detector: core.detector,
    alerter: core.alerter,
    metrics: { scored: () => undefined },
    outputs: {
      alert: (alert) => dispatcher.dispatchSettled(alert),
      scored: (s) => void scored.push(s.features.traceId),
      ...outputs,
    },
  });
  return { pipeline, sink, deliverer, deadLetters, scored, clock, core };
}
