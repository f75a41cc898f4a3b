import { describe, expect, it } from "vitest";
import { TracewatchError } from "../../../src/errors.js";
import { loadConfig } from "../../../src/config/load.js";
import { consumerTiming } from "../../../src/service/kafka-client.js";

/** A document whose `spec.sources.kafka` holds `keys` (YAML flow-mapping entries). */
function doc(keys: string): string {
  return `spec:\n  sources:\n    kafka: { brokers: ["127.0.0.1:9092"]${keys === "" ? "" : `, ${keys}`} }\n`;
}

function problems(text: string): string[] {
  try {
    loadConfig({ text, origin: "test.yaml" }, {});
  } catch (err) {
    expect(err).toBeInstanceOf(TracewatchError);
    return (err as TracewatchError).details?.problems as string[];
  }
  throw new Error("config loaded but should not have");
}

const K = "spec.sources.kafka";

describe("consumer group timing from spec.sources.kafka", () => {
  it.each([
    ["kafkajs' defaults when no key is set", "", [30_000, 3_000, 60_000]],
    [
      "a short session for fast failover",
      "session_timeout: 6s, heartbeat_interval: 1s",
      [6_000, 1_000, 60_000],
    ],
    [
      "every key set, in mixed units",
      "session_timeout: 45s, heartbeat_interval: 500ms, rebalance_timeout: 2m",
      [45_000, 500, 120_000],
    ],
    ["a longer session with the default heartbeat", "session_timeout: 2.5m", [150_000, 3_000, 60_000]],
    [
      "the bounds themselves",
      "session_timeout: 30m, heartbeat_interval: 100ms, rebalance_timeout: 1s",
      [1_800_000, 100, 1_000],
    ],
  ])("passes %s to the consumer", (_name, keys, [sessionTimeout, heartbeatInterval, rebalanceTimeout]) => {
    const config = loadConfig({ text: doc(keys), origin: "test.yaml" }, {});
    expect(consumerTiming(config)).toEqual({ sessionTimeout, heartbeatInterval, rebalanceTimeout });
  });

  it.each([
    [
      "a heartbeat as long as the default session",
      "heartbeat_interval: 30s",
      [`${K}.heartbeat_interval: must be shorter than ${K}.session_timeout (30s >= 30s)`],
    ],
    [
      "a session shorter than the default heartbeat",
      "session_timeout: 2s",
      [`${K}.heartbeat_interval: must be shorter than ${K}.session_timeout (3s >= 2s)`],
    ],
    [
      "a zero session",
      "session_timeout: 0s",
      [`${K}.session_timeout: out of range "0s" (allowed 1s to 30m)`],
    ],
    [
      "a session beyond the brokers' largest default",
      "session_timeout: 1h",
      [`${K}.session_timeout: out of range "1h" (allowed 1s to 30m)`],
    ],
    [
      "a heartbeat too frequent",
      "heartbeat_interval: 50ms",
      [`${K}.heartbeat_interval: out of range "50ms" (allowed 100ms to 10m)`],
    ],
    [
      "a zero rebalance timeout",
      "rebalance_timeout: 0ms",
      [`${K}.rebalance_timeout: out of range "0ms" (allowed 1s to 30m)`],
    ],
    [
      "a rebalance timeout of hours",
      "rebalance_timeout: 2h",
      [`${K}.rebalance_timeout: out of range "2h" (allowed 1s to 30m)`],
    ],
    ["a bare number", "session_timeout: 30000", [`${K}.session_timeout: expected string, got number`]],
    [
      "a misspelt unit",
      "heartbeat_interval: 3sec",
      [`${K}.heartbeat_interval: invalid duration "3sec" (expected e.g. 500ms, 10s, 5m, 1h, 7d)`],
    ],
    [
      "several bad keys at once",
      "session_timeout: 0s, heartbeat_interval: 1x, rebalance_timeout: 31m",
      [
        `${K}.session_timeout: out of range "0s" (allowed 1s to 30m)`,
        `${K}.heartbeat_interval: invalid duration "1x" (expected e.g. 500ms, 10s, 5m, 1h, 7d)`,
        `${K}.rebalance_timeout: out of range "31m" (allowed 1s to 30m)`,
      ],
    ],
  ])("refuses %s, naming the key", (_name, keys, expected) => {
    expect(problems(doc(keys))).toEqual(expected);
  });
});
