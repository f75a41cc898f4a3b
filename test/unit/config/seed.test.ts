import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";

const repo = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

/** The yaml block of the seed's "Anomaly Detection" section, byte for byte. */
function seedYaml(): string {
  const doc = readFileSync(repo("test/fixtures/seed/distributed-tracing.md"), "utf8");
  const section = doc.slice(doc.indexOf("### Anomaly Detection"));
  const match = /```yaml\n([\s\S]*?)```/.exec(section);
  if (match?.[1] === undefined) throw new Error("seed has no Anomaly Detection yaml block");
  return match[1];
}

describe("the seed's TraceAnomalyDetector document", () => {
  it("is kept verbatim in config/examples", () => {
    expect(readFileSync(repo("config/examples/seed-trace-anomaly-detection.yaml"), "utf8")).toBe(seedYaml());
  });

  it("loads unchanged with the seed's values and the service defaults", () => {
    const config = loadConfig({ text: seedYaml(), origin: "seed" }, {});
    expect(config.metadata.name).toBe("latency-anomalies");
    expect(config.spec.model.features).toEqual([
      "total_duration",
      "span_count",
      "error_count",
      "service_hop_count",
      "max_span_duration",
    ]);
    expect(config.spec.training).toMatchObject({
      window: 7 * 86_400_000,
      sample_rate: 0.1,
      exclude_errors: false,
    });
    expect(config.spec.detection).toEqual({ threshold: 0.95, min_severity: 0.7 });
    expect(config.spec.alerts.map((a) => [a.type, a.severity])).toEqual([
      ["latency_spike", "high"],
      ["unusual_path", "medium"],
      ["cascade_failure", "critical"],
    ]);
    expect(config.spec.alerts[0]?.condition).toBe(
      "anomaly_score > 0.9 AND total_duration > p99_baseline * 2",
    );
    expect(config.spec.sources.kafka.enabled).toBe(false);
    expect(config.spec.sources.otlp_http).toMatchObject({ enabled: true, host: "127.0.0.1", port: 4318 });
    expect(config.spec.api).toMatchObject({ host: "127.0.0.1", port: 8080 });
    expect(config.spec.sinks).toEqual([{ type: "log", name: "log", level: "warn" }]);
  });

  it("is the detector part of config/default.yaml, which adds the code-level rules and slow_operation after its three", () => {
    const fromDefault = loadConfig({ path: repo("config/default.yaml") }, {});
    const fromSeed = loadConfig({ text: seedYaml() }, {});
    expect(fromSeed.spec.alerts.map((a) => a.type)).toEqual([
      "latency_spike",
      "unusual_path",
      "cascade_failure",
    ]);
    expect(fromDefault.spec.alerts.slice(0, 3)).toEqual(fromSeed.spec.alerts);
    expect(fromDefault.spec.alerts.slice(3).map((a) => [a.type, a.condition, a.severity])).toEqual([
      ["missing_calls", "missing_calls >= 1", "medium"],
      [
        "unexpected_errors",
        "unexpected_errors >= 1 AND NOT (error_count > 5 AND affected_services > 3)",
        "high",
      ],
      ["slow_operation", "degraded_spans >= 1", "high"],
    ]);
    // Without spec.alerts the same six rules apply.
    expect(loadConfig({ text: "" }, {}).spec.alerts).toEqual(fromDefault.spec.alerts);
    expect({ ...fromDefault, spec: { ...fromDefault.spec, alerts: [] } }).toEqual({
      ...fromSeed,
      spec: { ...fromSeed.spec, alerts: [] },
    });
    const defaultText = readFileSync(repo("config/default.yaml"), "utf8");
    const cascade = "      severity: critical\n";
    const seedHead = seedYaml().slice(0, seedYaml().indexOf(cascade) + cascade.length);
    expect(defaultText).toContain(seedHead);
    expect(defaultText).toContain(seedYaml().slice(seedHead.length));
  });

  it("loads config/examples/production-kafka.yaml when its secrets are in the environment", () => {
    const config = loadConfig(
      { path: repo("config/examples/production-kafka.yaml") },
      {
        KAFKA_PASSWORD: "pw",
        WEBHOOK_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ALERTMANAGER_PASSWORD: "am-pw",
        TRACEWATCH_API_TOKEN: "0123456789abcdef",
      },
    );
    expect(config.spec.sources.kafka).toMatchObject({ enabled: true, brokers: ["kafka-0.kafka:9093"] });
    expect(config.spec.sources.kafka.sasl).toEqual({
      mechanism: "scram-sha-512",
      username: "tracewatch",
      password: "pw",
    });
    expect(config.spec.sources.otlp_http.enabled).toBe(false);
    expect(config.spec.sinks.map((s) => s.name)).toEqual(["kafka", "oncall", "alertmanager"]);
    expect(config.spec.sinks[2]).toMatchObject({ auth: { type: "basic", password: "am-pw" } });
  });
});
