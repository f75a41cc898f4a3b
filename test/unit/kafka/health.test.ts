import { EventEmitter } from "node:events";
import type { Consumer, Producer } from "kafkajs";
import { describe, expect, it } from "vitest";
import { watchConsumer, watchProducer, type HealthSignal } from "../../../src/kafka/health.js";

function recorder(): HealthSignal & { log: string[] } {
  const log: string[] = [];
  return { log, ok: () => log.push("ok"), fail: (reason) => log.push(`fail: ${reason}`) };
}

const CONSUMER_EVENTS = {
  FETCH: "consumer.fetch",
  CRASH: "consumer.crash",
  DISCONNECT: "consumer.disconnect",
  STOP: "consumer.stop",
};

function fakeConsumer() {
  const emitter = new EventEmitter();
  const consumer = {
    events: CONSUMER_EVENTS,
    on: (event: string, listener: (e: unknown) => void) => emitter.on(event, listener),
  } as unknown as Consumer;
  const emit = (event: string, payload: unknown = {}) => emitter.emit(event, { type: event, payload });
  return { consumer, emit };
}

describe("watchConsumer", () => {
  it("fails on a crash, a disconnect or a stop and recovers on the next fetch", () => {
    const health = recorder();
    const { consumer, emit } = fakeConsumer();
    watchConsumer(consumer, health);
    emit(CONSUMER_EVENTS.FETCH);
    emit(CONSUMER_EVENTS.CRASH, { error: new Error("Connection error: ECONNREFUSED"), restart: true });
    emit(CONSUMER_EVENTS.DISCONNECT);
    emit(CONSUMER_EVENTS.FETCH);
    emit(CONSUMER_EVENTS.CRASH, { error: new Error("not authorized"), restart: false });
    emit(CONSUMER_EVENTS.STOP);
    expect(health.log).toEqual([
      "ok",
      "fail: consumer crashed (Connection error: ECONNREFUSED); kafkajs restarts it",
      "fail: consumer disconnected",
      "ok",
      "fail: consumer crashed (not authorized); it will not restart",
      "fail: consumer stopped",
    ]);
  });
});

describe("watchProducer", () => {
  it("fails when a send fails, passing the error on, and recovers on the next good send", async () => {
    const health = recorder();
    let broken = true;
    const send = async () => {
      if (broken) throw new Error("Connection error: connect ECONNREFUSED 127.0.0.1:9092");
      return [];
    };
    const producer = {
      events: { DISCONNECT: "producer.disconnect" },
      on: () => undefined,
      send,
      sendBatch: send,
    } as unknown as Producer;
    watchProducer(producer, health);
    await expect(producer.send({ topic: "t", messages: [] })).rejects.toThrow("ECONNREFUSED");
    broken = false;
    await expect(producer.sendBatch({ topicMessages: [] })).resolves.toEqual([]);
    expect(health.log).toEqual([
      "fail: send failed: Connection error: connect ECONNREFUSED 127.0.0.1:9092",
      "ok",
    ]);
  });
});
