import { describe, expect, it } from "vitest";
import { parseSimulateArgs, type SimulateArgs } from "../../../src/sim/options.js";

const ok = (argv: string[]): SimulateArgs => {
  const r = parseSimulateArgs(argv);
  if (!r.ok) throw new Error(`unexpected errors: ${r.errors.join("; ")}`);
  return r.args;
};

describe("parseSimulateArgs", () => {
  it("defaults to 50 traces/s for 60 s of live traffic to the local OTLP/HTTP receiver with every anomaly", () => {
    expect(ok([])).toMatchObject({
      seed: 1,
      ratePerSec: 50,
      durationMs: 60_000,
      maxTraces: null,
      output: { kind: "otlp-http", url: "http://127.0.0.1:4318/v1/traces", format: "otlp_proto" },
      labelsPath: null,
      anomalies: ["latency", "path", "cascade", "near-miss"],
      fast: false,
      startTimeMs: null,
      batchTraces: 100,
    });
  });

  it.each<[string[], Partial<SimulateArgs>]>([
    [["--seed", "7", "--rate", "250.5"], { seed: 7, ratePerSec: 250.5 }],
    [["--duration", "10m", "--traces", "5000"], { durationMs: 600_000, maxTraces: 5_000 }],
    [["--duration", "0"], { durationMs: null }],
    [
      ["--output", "file:/tmp/a.ndjson"],
      { output: { kind: "file", path: "/tmp/a.ndjson", format: "native" } },
    ],
    [
      ["--output", "file:/tmp/a.json", "--format", "otlp_json"],
      { output: { kind: "file", path: "/tmp/a.json", format: "otlp_json" } },
    ],
    [
      ["--output", "otlp-http:http://10.0.0.1:4318/v1/traces", "--format", "otlp_json"],
      { output: { kind: "otlp-http", url: "http://10.0.0.1:4318/v1/traces", format: "otlp_json" } },
    ],
    [
      ["--output", "kafka"],
      { output: { kind: "kafka", brokers: ["127.0.0.1:9092"], topic: "otlp_spans", partitions: 6 } },
    ],
    [
      ["--output", "kafka:a:9092,b:9093", "--topic", "spans.in", "--partitions", "3"],
      { output: { kind: "kafka", brokers: ["a:9092", "b:9093"], topic: "spans.in", partitions: 3 } },
    ],
    [["--anomalies", "cascade,near-miss"], { anomalies: ["cascade", "near-miss"] }],
    [["--anomalies", "none"], { anomalies: [] }],
    [
      ["--fast", "--labels", "/tmp/l.ndjson", "--quiet"],
      { fast: true, labelsPath: "/tmp/l.ndjson", quiet: true },
    ],
    [["--start-time", "2026-01-01T00:00:00Z"], { startTimeMs: Date.UTC(2026, 0, 1) }],
    [["--start-time", "1700000000000"], { startTimeMs: 1_700_000_000_000 }],
  ])("parses %j", (argv, expected) => {
    expect(ok(argv)).toMatchObject(expected);
  });

  it("applies --warmup, --period and --fraction to the schedule", () => {
    const { schedule } = ok(["--warmup", "30s", "--period", "2m", "--fraction", "0.2"]);
    expect(schedule.warmupMs).toBe(30_000);
    expect(schedule.periodMs).toBe(120_000);
    expect(schedule.windows.every((w) => w.fraction === 0.2)).toBe(true);
  });

  it.each<[string[], RegExp]>([
    [["--rate", "0"], /--rate: expected a number/],
    [["--rate", "fast"], /--rate/],
    [["--seed", "1.5"], /--seed: expected an integer/],
    [["--duration", "10 minutes"], /--duration: "10 minutes" is not a duration/],
    [["--output", "ftp:host"], /--output: unknown target "ftp:host"/],
    [["--output", "file:"], /file output needs a path/],
    [["--output", "otlp-http:localhost:4318"], /is not an http\(s\) URL/],
    [["--output", "kafka:broker"], /kafka broker "broker" is not host:port/],
    [
      ["--output", "kafka", "--format", "otlp_json"],
      /--format: "otlp_json" is not available for kafka output/,
    ],
    [["--output", "file:/tmp/x", "--topic", "t"], /--topic: only applies to kafka output/],
    [["--partitions", "3"], /--partitions: only applies to kafka output/],
    [["--output", "kafka", "--partitions", "0"], /--partitions: expected an integer >= 1/],
    [["--anomalies", "latency,lag"], /unknown category "lag"/],
    [["--fraction", "1.5"], /--fraction: expected a number in \[0, 1\]/],
    [["--period", "20s"], /--period: must be at least 36s/],
    [["--start-time", "yesterday"], /--start-time/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["positional"], /positional/],
  ])("rejects %j", (argv, message) => {
    const r = parseSimulateArgs(argv);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join("\n")).toMatch(message);
  });

  it("lists every problem at once", () => {
    const r = parseSimulateArgs(["--rate", "0", "--seed", "x", "--anomalies", "nope"]);
    expect(r.ok ? [] : r.errors).toHaveLength(3);
  });

  it("asks for help with -h and --help", () => {
    expect(parseSimulateArgs(["-h"])).toEqual({ ok: false, help: true, errors: [] });
    expect(parseSimulateArgs(["--help", "--rate", "0"])).toMatchObject({ help: true });
  });
});
