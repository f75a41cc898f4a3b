import { describe, expect, it } from "vitest";
import type { Alert } from "../../../src/core/alerts/alert.js";
import { ManualClock } from "../../../src/core/clock.js";
import { systemClock } from "../../../src/platform/clock.js";
import { InMemoryDeadLetterWriter } from "../../../src/sinks/in-memory.js";
import type { SinkOutcome } from "../../../src/sinks/metrics.js";
import { DeliveryQueue, type DeliveryQueueOptions } from "../../../src/sinks/queue.js";
import type { AlertDeliverer, DeadLetterWriter, DeliveryResult } from "../../../src/sinks/types.js";
import { sampleAlerts } from "./sample-alerts.js";

type Script = (alert: Alert, attempt: number) => DeliveryResult | Promise<DeliveryResult>;

class FakeDeliverer implements AlertDeliverer {
  readonly type = "fake";
  calls: { id: string; attempt: number }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly script: Script) {}
  async deliver(alert: Alert, attempt: number): Promise<DeliveryResult> {
    this.calls.push({ id: alert.id, attempt });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await this.script(alert, attempt);
    } finally {
      this.inFlight -= 1;
    }
  }
}

const ok: DeliveryResult = { ok: true };
const fail = (retriable = true): DeliveryResult => ({
  ok: false,
  retriable,
  error: retriable ? "HTTP 503" : "HTTP 400",
});
const never = (): Promise<DeliveryResult> => new Promise(() => undefined);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function queue(script: Script, options: Partial<DeliveryQueueOptions> = {}) {
  const deliverer = new FakeDeliverer(script);
  const dead = new InMemoryDeadLetterWriter();
  const outcomes: SinkOutcome[] = [];
  const depth: number[] = [];
  const q = new DeliveryQueue({
    name: "hook",
    deliverer,
    deadLetters: dead,
    clock: systemClock,
    backoff: { initialMs: 1, maxMs: 5 },
    metrics: {
      outcome: (_s, o) => outcomes.push(o),
      queueDepth: (_s, d) => depth.push(d),
      circuit: () => undefined,
    },
    ...options,
  });
  return { q, deliverer, dead, outcomes, depth };
}

describe("DeliveryQueue", () => {
  it("delivers every alert and reports an empty backlog", async () => {
    const { q, deliverer, outcomes, depth } = queue(() => ok);
    for (const a of sampleAlerts(20)) expect(q.enqueue(a)).toMatchObject({ accepted: true });
    expect(await q.flush(2_000)).toBe(true);
    expect(new Set(deliverer.calls.map((c) => c.id)).size).toBe(20);
    expect(outcomes.filter((o) => o === "delivered")).toHaveLength(20);
    expect(q.backlog()).toBe(0);
    expect(depth.at(-1)).toBe(0);
  });

  it("retries retriable failures until the alert is delivered", async () => {
    const { q, deliverer, dead, outcomes } = queue((_a, attempt) => (attempt < 3 ? fail() : ok));
    q.enqueue(sampleAlerts(1)[0]!);
    await q.flush(2_000);
    expect(deliverer.calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(outcomes).toEqual(["retried", "retried", "delivered"]);
    expect(dead.letters).toHaveLength(0);
  });

  const deadCases: [string, Script, Partial<DeliveryQueueOptions>, string, number, string][] = [
    ["a permanent error", () => fail(false), {}, "permanent_error", 1, "HTTP 400"],
    ["exhausted retries", () => fail(), { maxAttempts: 3 }, "retries_exhausted", 3, "HTTP 503"],
    [
      "a thrown error",
      () => Promise.reject(new Error("socket hang up")),
      { maxAttempts: 2 },
      "retries_exhausted",
      2,
      "socket hang up",
    ],
    [
      "a delivery deadline",
      () => fail(),
      // A clock that stands still: the retry (49 ms away) would land past the 30 ms deadline.
      {
        clock: new ManualClock(0),
        maxDeliveryMs: 30,
        backoff: { initialMs: 50, maxMs: 50 },
        random: () => 0.99,
      },
      "expired",
      1,
      "HTTP 503",
    ],
  ];
  it.each(deadCases)(
    "dead-letters an alert after %s with the last error",
    async (_n, script, options, reason, attempts, error) => {
      const { q, dead, outcomes } = queue(script, options);
      const alert = sampleAlerts(1)[0]!;
      q.enqueue(alert);
      expect(await q.flush(2_000)).toBe(true);
      expect(dead.letters).toEqual([
        expect.objectContaining({ alert, sink: "hook", sinkType: "fake", reason, attempts, error }),
      ]);
      expect(outcomes.at(-1)).toBe("dead_lettered");
    },
  );

  it("never blocks enqueue: a full queue dead-letters at once", async () => {
    const { q, dead } = queue(never, { capacity: 5, concurrency: 2 });
    const alerts = sampleAlerts(8);
    const started = performance.now();
    const results = alerts.map((a) => q.enqueue(a));
    expect(performance.now() - started).toBeLessThan(50);
    expect(results.filter((r) => r.accepted)).toHaveLength(5);
    expect(results.slice(5).map(({ accepted, ...r }) => [accepted, "reason" in r ? r.reason : ""])).toEqual(
      [0, 0, 0].map(() => [false, "queue_full"]),
    );
    await wait(5);
    expect(dead.letters.map((l) => [l.alert.id, l.reason, l.attempts])).toEqual(
      alerts.slice(5).map((a) => [a.id, "queue_full", 0]),
    );
    expect(q.backlog()).toBe(5);
  });

  it("keeps at most `concurrency` deliveries in flight", async () => {
    const { q, deliverer } = queue(async () => (await wait(3), ok), { concurrency: 3 });
    for (const a of sampleAlerts(30)) q.enqueue(a);
    await q.flush(5_000);
    expect(deliverer.calls).toHaveLength(30);
    expect(deliverer.maxInFlight).toBe(3);
  });

  it("stops calling a failing destination while the circuit is open, then probes", async () => {
    let healthy = false;
    const { q, deliverer } = queue(() => (healthy ? ok : fail()), {
      concurrency: 1,
      breakerFailures: 3,
      breakerOpenMs: 400,
      maxAttempts: 100,
    });
    for (const a of sampleAlerts(5)) q.enqueue(a);
    while (deliverer.calls.length < 3) await wait(2);
    await wait(100);
    expect(deliverer.calls).toHaveLength(3);
    healthy = true;
    expect(await q.flush(2_000)).toBe(true);
    expect(deliverer.calls).toHaveLength(8);
  });

  it("dead-letters alerts held back by an open circuit once max_delivery_time passes, naming the sink's error", async () => {
    const clock = new ManualClock(0);
    const { q, deliverer, dead } = queue(() => fail(), {
      clock,
      concurrency: 1,
      breakerFailures: 1,
      breakerOpenMs: 60_000,
      maxAttempts: 1,
      maxDeliveryMs: 80,
    });
    for (const a of sampleAlerts(4)) q.enqueue(a);
    while (deliverer.calls.length < 1) await wait(2);
    clock.advance(100);
    expect(await q.flush(2_000)).toBe(true);
    expect(deliverer.calls).toHaveLength(1);
    expect(dead.letters.map((l) => [l.reason, l.attempts])).toEqual([
      ["retries_exhausted", 1],
      ["expired", 0],
      ["expired", 0],
      ["expired", 0],
    ]);
    expect(dead.letters[1]?.error).toBe(
      "circuit open, not attempted within max_delivery_time (sink's last error: HTTP 503)",
    );
  });

  it("dead-letters what is left at shutdown and refuses alerts afterwards", async () => {
    const { q, dead } = queue(never, { concurrency: 1, shutdownGraceMs: 20 });
    for (const a of sampleAlerts(3)) q.enqueue(a);
    await q.shutdown();
    expect(dead.letters.map((l) => l.reason)).toEqual(["shutdown", "shutdown", "shutdown"]);
    expect(q.enqueue(sampleAlerts(1)[0]!)).toMatchObject({ accepted: false, reason: "shut_down" });
    expect(q.backlog()).toBe(0);
    await q.shutdown();
  });

  it("keeps retrying a failing dead-letter write while running, and logs the whole alert when it gives up at shutdown", async () => {
    const errors: object[] = [];
    let writes = 0;
    const broken: DeadLetterWriter = { write: () => (writes++, Promise.reject(new Error("broker down"))) };
    const { q, outcomes } = queue(() => fail(false), {
      deadLetters: broken,
      shutdownGraceMs: 10,
      logger: { info: () => undefined, warn: () => undefined, error: (obj) => errors.push(obj) },
    });
    const alert = sampleAlerts(1)[0]!;
    const { settled } = q.enqueue(alert);
    expect(await q.flush(1_500)).toBe(false);
    expect(writes).toBe(3);
    expect(errors).toEqual([
      expect.objectContaining({
        sink: "hook",
        alertId: alert.id,
        err: "broker down",
        reason: "permanent_error",
      }),
    ]);
    await q.shutdown();
    expect(writes).toBe(4);
    expect(outcomes.at(-1)).toBe("dropped");
    expect(errors.at(-1)).toEqual(
      expect.objectContaining({ sink: "hook", alert, err: "broker down", reason: "permanent_error" }),
    );
    await expect(settled).rejects.toMatchObject({ code: "TW_SINK_DELIVERY_FAILED" });
  });
});
