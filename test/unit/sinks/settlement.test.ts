import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/core/clock.js";
import { AlertDispatcher } from "../../../src/sinks/dispatcher.js";
import { createSinks } from "../../../src/sinks/factory.js";
import { InMemoryAlertSink, InMemoryDeadLetterWriter } from "../../../src/sinks/in-memory.js";
import { DeliveryQueue } from "../../../src/sinks/queue.js";
import type { DeadLetterWriter, DeliveryResult } from "../../../src/sinks/types.js";
import { deferred, state, steeredQueue, wait } from "../pipeline/helpers.js";
import { sampleAlerts } from "./sample-alerts.js";

const clock = new ManualClock(0);
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe("EnqueueResult.settled", () => {
  it.each<[string, DeliveryResult, "delivered" | "dead_lettered", number]>([
    ["delivered", { ok: true }, "delivered", 0],
    [
      "refused with a permanent error",
      { ok: false, retriable: false, error: "HTTP 410" },
      "dead_lettered",
      1,
    ],
    ["failing its last attempt", { ok: false, retriable: true, error: "HTTP 503" }, "dead_lettered", 1],
  ])("an alert %s settles only after that happened", async (_case, answer, how, letters) => {
    const { q, deliverer, deadLetters } = steeredQueue(clock);
    const { settled } = q.enqueue(sampleAlerts(1)[0]!);
    await wait(5);
    expect(await state(settled)).toBe("pending");
    deliverer.attempts[0]!.answer.resolve(answer);
    await wait(5);
    expect(deadLetters.writes).toHaveLength(letters);
    if (letters > 0) {
      expect(await state(settled)).toBe("pending");
      deadLetters.writes[0]!.done.resolve();
    }
    await expect(settled).resolves.toBe(how);
  });

  it.each([
    ["queue_full", (q: DeliveryQueue) => (q.enqueue(sampleAlerts(1, 9)[0]!), Promise.resolve())],
    ["shut_down", (q: DeliveryQueue) => q.shutdown()],
  ])("a refused alert (%s) settles when its dead letter is written", async (reason, fill) => {
    const { q, deadLetters } = steeredQueue(clock, { capacity: 1 });
    await fill(q);
    const refused = q.enqueue(sampleAlerts(1)[0]!);
    expect(refused).toMatchObject({ accepted: false, reason });
    await wait(5);
    expect(await state(refused.settled)).toBe("pending");
    deadLetters.writes.at(-1)!.done.resolve();
    await expect(refused.settled).resolves.toBe("dead_lettered");
  });

  it("an alert still in flight at shutdown settles once its dead letter is written", async () => {
    const { q, deadLetters } = steeredQueue(clock);
    const { settled } = q.enqueue(sampleAlerts(1)[0]!);
    await wait(5);
    const closing = q.shutdown();
    await wait(20);
    expect(deadLetters.writes.map((w) => w.letter.reason)).toEqual(["shutdown"]);
    deadLetters.writes[0]!.done.resolve();
    await closing;
    await expect(settled).resolves.toBe("dead_lettered");
  });

  it("retries a failed dead-letter write while the sink runs and settles when it succeeds", async () => {
    let writes = 0;
    const flaky: DeadLetterWriter = {
      write: () => (++writes === 1 ? Promise.reject(new Error("not leader")) : Promise.resolve()),
    };
    const q = new DeliveryQueue({
      name: "hook",
      deliverer: {
        type: "x",
        deliver: () => Promise.resolve({ ok: false, retriable: false, error: "HTTP 400" }),
      },
      deadLetters: flaky,
      clock,
      logger: silent,
    });
    const { settled } = q.enqueue(sampleAlerts(1)[0]!);
    await expect(settled).resolves.toBe("dead_lettered");
    expect(writes).toBe(2);
  });

  it("the in-memory sink settles at once, and rejects what it refuses after shutdown", async () => {
    const sink = new InMemoryAlertSink();
    await expect(sink.enqueue(sampleAlerts(1)[0]!).settled).resolves.toBe("delivered");
    await sink.shutdown();
    const refused = sink.enqueue(sampleAlerts(1)[0]!);
    await expect(refused.settled).rejects.toMatchObject({ code: "TW_SINK_DELIVERY_FAILED" });
  });

  it("the log sink settles as delivered on the next turn of the event loop", async () => {
    const lines: object[] = [];
    const logger = { ...silent, warn: (o: object) => void lines.push(o) };
    const [log] = createSinks([{ type: "log" }], {
      clock,
      logger,
      deadLetters: new InMemoryDeadLetterWriter(),
    });
    await expect(log!.enqueue(sampleAlerts(1)[0]!).settled).resolves.toBe("delivered");
    expect(lines).toHaveLength(1);
  });
});

describe("AlertDispatcher.dispatchSettled", () => {
  it("resolves once every sink is done with the alert", async () => {
    const { q, deliverer } = steeredQueue(clock);
    const memory = new InMemoryAlertSink();
    const settled = new AlertDispatcher([memory, q]).dispatchSettled(sampleAlerts(1)[0]!);
    expect(memory.alerts).toHaveLength(1);
    await wait(5);
    expect(await state(settled)).toBe("pending");
    deliverer.attempts[0]!.answer.resolve({ ok: true });
    await expect(settled).resolves.toBeUndefined();
  });

  it("rejects when a sink gave up on the alert without keeping it", async () => {
    const broken: DeadLetterWriter = { write: () => Promise.reject(new Error("broker down")) };
    const q = new DeliveryQueue({
      name: "hook",
      deliverer: { type: "x", deliver: () => deferred<DeliveryResult>().promise },
      deadLetters: broken,
      clock,
      logger: silent,
      shutdownGraceMs: 10,
    });
    const settled = new AlertDispatcher([new InMemoryAlertSink(), q]).dispatchSettled(sampleAlerts(1)[0]!);
    await wait(5);
    await q.shutdown();
    await expect(settled).rejects.toMatchObject({ code: "TW_SINK_DELIVERY_FAILED" });
  });
});
