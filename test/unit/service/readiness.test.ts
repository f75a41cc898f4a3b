import { setTimeout as sleep } from "node:timers/promises";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/core/clock.js";
import { Readiness } from "../../../src/service/readiness.js";

const open: Readiness[] = [];
afterEach(() => open.splice(0).forEach((r) => r.close()));

function readiness(clock = new ManualClock(1_000_000)) {
  const registry = new Registry();
  const r = new Readiness(clock, registry);
  open.push(r);
  const gauge = async (component: string) =>
    (await registry.getSingleMetric("tracewatch_component_ready")!.get()).values.find(
      (v) => v.labels.component === component,
    )?.value;
  return { r, clock, gauge };
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await sleep(10);
  if (!check()) throw new Error(`never happened: ${what}`);
}

describe("Readiness", () => {
  it("reports a failed component with its reason until it works again", async () => {
    const { r, clock, gauge } = readiness();
    const consumer = r.component("kafka_consumer", { initially: "not consuming yet" });
    expect(r.report()).toEqual([
      { name: "kafka_consumer", ready: false, reason: "not consuming yet", since: expect.any(String) },
    ]);
    consumer.ok();
    expect(r.report()[0]).toMatchObject({ ready: true });
    expect(r.report()[0]).not.toHaveProperty("reason");
    expect(await gauge("kafka_consumer")).toBe(1);
    clock.advance(5_000);
    consumer.fail("consumer crashed (Connection error); kafkajs restarts it");
    expect(r.report()[0]).toEqual({
      name: "kafka_consumer",
      ready: false,
      reason: "consumer crashed (Connection error); kafkajs restarts it",
      since: new Date(1_005_000).toISOString(),
    });
    expect(await gauge("kafka_consumer")).toBe(0);
    consumer.ok();
    expect(r.report()[0]).toMatchObject({ ready: true, since: new Date(1_005_000).toISOString() });
  });

  it("reports a ready component that gave no sign of life for staleAfterMs as not ready", async () => {
    const { r, clock, gauge } = readiness();
    const consumer = r.component("kafka_consumer", { staleAfterMs: 30_000 });
    consumer.ok();
    clock.advance(30_000);
    expect(r.report()[0]?.ready).toBe(true);
    clock.advance(1_000);
    expect(r.report()[0]).toMatchObject({ ready: false, reason: "no sign of life for 31 s" });
    expect(await gauge("kafka_consumer")).toBe(0);
    consumer.ok();
    expect(r.report()[0]?.ready).toBe(true);
  });

  it("probes a failing component until the probe passes, then stops probing", async () => {
    const { r } = readiness();
    let healthy = false;
    let probes = 0;
    const store = r.component("model_store", {
      probe: async () => {
        probes++;
        if (!healthy) throw new Error("ENOTDIR: not a directory");
      },
      probeIntervalMs: 10,
    });
    store.fail("model store not writable");
    await until("a failed probe", () => probes >= 2);
    expect(r.report()[0]).toMatchObject({
      ready: false,
      reason: "model store not writable; probe: ENOTDIR: not a directory",
    });
    healthy = true;
    await until("recovery", () => r.report()[0]?.ready === true);
    const after = probes;
    await sleep(50);
    expect(probes).toBe(after);
  });

  it("does not probe a component that only a later ok() recovers", async () => {
    const { r } = readiness();
    const producer = r.component("kafka_producer");
    producer.fail("send failed: Connection error");
    await sleep(30);
    expect(r.report()[0]).toMatchObject({ ready: false, reason: "send failed: Connection error" });
  });
});
