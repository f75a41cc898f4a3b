import { describe, expect, it } from "vitest";
import { TracewatchError } from "../../../src/errors.js";
import { loadConfig } from "../../../src/config/load.js";
import type { Env } from "../../../src/config/env.js";

/** Loads `text` and returns the listed problems (fails the test when it loads). */
function problems(text: string, env: Env = {}): string[] {
  try {
    loadConfig({ text, origin: "test.yaml" }, env);
  } catch (err) {
    expect(err).toBeInstanceOf(TracewatchError);
    const e = err as TracewatchError;
    expect(e.code).toBe("TW_CONFIG_INVALID");
    return e.details?.problems as string[];
  }
  throw new Error("config loaded but should not have");
}

const broken: [string, string, string][] = [
  [
    "a bad duration",
    "spec:\n  training:\n    window: 7x\n",
    'spec.training.window: invalid duration "7x" (expected e.g.',
  ],
  [
    "a number for a duration",
    "spec:\n  assembly:\n    decision_wait: 10\n",
    "spec.assembly.decision_wait: expected string, got number",
  ],
  [
    "a sample rate above 1",
    "spec:\n  training:\n    sample_rate: 1.5\n",
    "spec.training.sample_rate: must be <= 1",
  ],
  [
    "an unknown key (typo), with the key it was meant to be",
    "spec:\n  assembly:\n    decison_wait: 5s\n",
    'spec.assembly.decison_wait: unknown key (did you mean "decision_wait"?)',
  ],
  [
    "an unknown key in camelCase",
    "spec:\n  assembly:\n    maxTraces: 10\n",
    'spec.assembly.maxTraces: unknown key (did you mean "max_traces"?)',
  ],
  [
    "an unknown key of the sink type written",
    "spec:\n  sinks:\n    - { type: webhook, urll: 'https://h/x' }\n",
    'spec.sinks[0].urll: unknown key (did you mean "url"?)',
  ],
  [
    "an unknown key like none, with the keys allowed there",
    "spec:\n  detection:\n    colour: red\n",
    "spec.detection.colour: unknown key (expected one of threshold, min_severity)",
  ],
  [
    "a misspelt severity",
    "spec:\n  alerts:\n    - { type: x, condition: a > 1, severity: hihg }\n",
    'spec.alerts[0].severity: invalid value "hihg" (expected info | low | medium | high | critical); did you mean "high"?',
  ],
  [
    "a misspelt sink type",
    "spec:\n  sinks:\n    - { type: webhok, url: 'https://h/x' }\n",
    'did you mean "webhook"?',
  ],
  [
    "an unknown feature",
    "spec:\n  model:\n    features: [total_duration, p50]\n",
    'spec.model.features[1]: invalid value "p50"',
  ],
  ["a wrong kind", "kind: Detector\n", 'kind: invalid value "Detector" (expected TraceAnomalyDetector)'],
  [
    "an unknown severity",
    "spec:\n  alerts:\n    - { type: x, condition: a > 1, severity: huge }\n",
    'spec.alerts[0].severity: invalid value "huge"',
  ],
  [
    "an alert without condition",
    "spec:\n  alerts:\n    - { type: x, severity: high }\n",
    "spec.alerts[0].condition: is required",
  ],
  [
    "duplicate alert types",
    "spec:\n  alerts:\n    - { type: x, condition: a > 1, severity: high }\n    - { type: x, condition: a > 2, severity: low }\n",
    'spec.alerts[1].type: duplicate type "x" (first at spec.alerts[0])',
  ],
  [
    "an unknown sink type",
    "spec:\n  sinks:\n    - { type: pagerduty }\n",
    'spec.sinks[0].type: unknown value "pagerduty" (expected one of log, kafka, webhook, alertmanager)',
  ],
  [
    "duplicate sink names",
    "spec:\n  sinks:\n    - { type: log }\n    - { type: webhook, name: log, url: 'http://127.0.0.1:1/x' }\n",
    'spec.sinks[1].name: duplicate name "log"',
  ],
  [
    "an empty sink name",
    "spec:\n  sinks:\n    - { type: log, name: '' }\n",
    "spec.sinks[0].name: must not be empty",
  ],
  ["a webhook without url", "spec:\n  sinks:\n    - { type: webhook }\n", "spec.sinks[0].url: is required"],
  [
    "a webhook with a non-http url",
    "spec:\n  sinks:\n    - { type: webhook, url: 'ftp://x/y' }\n",
    "spec.sinks[0].url: must be an http:// or https:// URL",
  ],
  [
    "a kafka sink without brokers",
    "spec:\n  sinks:\n    - { type: kafka }\n",
    "spec.sinks[0].type: a kafka sink needs spec.sources.kafka.brokers",
  ],
  ["a port out of range", "spec:\n  api:\n    port: 70000\n", "spec.api.port: must be <= 65535"],
  [
    "a public API host without token",
    "spec:\n  api:\n    host: 0.0.0.0\n",
    "spec.api.host: listening beyond loopback requires spec.api.token",
  ],
  [
    "an unknown SASL mechanism",
    "spec:\n  sources:\n    kafka:\n      brokers: [k:9092]\n      sasl: { mechanism: GSSAPI, username: u, password: p }\n",
    'spec.sources.kafka.sasl.mechanism: invalid value "gssapi"',
  ],
  [
    "a broker without port",
    "spec:\n  sources:\n    kafka:\n      brokers: [kafka]\n",
    "spec.sources.kafka.brokers[0]: must be host:port",
  ],
  [
    "a client cert without key",
    "spec:\n  sources:\n    kafka:\n      brokers: [k:9092]\n      tls: { cert_file: c.pem }\n",
    "spec.sources.kafka.tls: cert_file and key_file must be given together",
  ],
  [
    "root grace longer than decision wait",
    "spec:\n  assembly:\n    root_grace: 20s\n",
    "spec.assembly.root_grace: must be shorter than spec.assembly.decision_wait",
  ],
  [
    "a request timeout shorter than the headers timeout",
    "spec:\n  sources:\n    otlp_http: { headers_timeout: 20s, request_timeout: 10s }\n",
    "spec.sources.otlp_http.request_timeout: must be at least headers_timeout",
  ],
  [
    "an API keep-alive timeout out of range",
    "spec:\n  api:\n    keep_alive_timeout: 1h\n",
    "spec.api.keep_alive_timeout: out of range",
  ],
  [
    "no source at all",
    "spec:\n  sources:\n    otlp_http: { enabled: false }\n",
    "spec.sources: no span source",
  ],
  [
    "an unknown redaction action",
    "spec:\n  redaction:\n    - { action: insert, key: env }\n",
    'spec.redaction[0].action: invalid value "insert"',
  ],
  [
    "a list where a mapping belongs",
    "spec:\n  training: [7d]\n",
    "spec.training: expected object, got a list",
  ],
  ["invalid YAML", "spec:\n  training: {window: 7d\n", "line "],
  ["duplicate YAML keys", "spec:\n  api: {}\n  api: {}\n", "line 3, column 3"],
];

describe("loadConfig rejects broken configs, naming the key", () => {
  it.each(broken)("%s", (_what, text, expected) => {
    const found = problems(text);
    expect(
      found.some((p) => p.startsWith(expected) || p.includes(expected)),
      found.join("\n"),
    ).toBe(true);
  });
});

describe("loadConfig", () => {
  it("reports every problem at once", () => {
    const found = problems(
      "spec:\n  training: { window: 7x, sample_rate: 2 }\n  api: { port: -1 }\n  sinks: [{ type: nope }]\n  extra: 1\n",
    );
    expect(found.map((p) => p.split(":")[0])).toEqual(
      expect.arrayContaining([
        "spec.training.window",
        "spec.training.sample_rate",
        "spec.api.port",
        "spec.sinks[0].type",
        "spec.extra",
      ]),
    );
    expect(found).toHaveLength(5);
  });

  it("puts every problem in the error message, one per line", () => {
    expect(() =>
      loadConfig({ text: "spec:\n  api: { port: x }\n  logging: { level: loud }\n", origin: "f.yaml" }, {}),
    ).toThrow(
      /f\.yaml: configuration is invalid \(2 problems\):\n {2}spec\.api\.port: .*\n {2}spec\.logging\.level: /,
    );
  });

  it("loads an empty file with every default", () => {
    const config = loadConfig({ text: "" }, {});
    expect(config.kind).toBe("TraceAnomalyDetector");
    // The seed's three rules, the code-level missing_calls and unexpected_errors, slow_operation.
    expect(config.spec.alerts).toHaveLength(6);
    expect(config.spec.assembly).toEqual({
      decision_wait: 10_000,
      root_grace: 6_000,
      reopen_window: 30_000,
      max_traces: 50_000,
      max_spans_per_trace: 5_000,
      max_bytes: 268_435_456,
    });
    expect(config.spec.topics).toEqual({
      alerts: "tracewatch.alerts",
      features: "tracewatch.features",
      models: "tracewatch.models",
      dlq: "tracewatch.dlq",
      incidents: "tracewatch.incidents",
      sampled: "tracewatch.sampled",
      create: true,
      replication_factor: -1,
      settings: {
        alerts: { partitions: 3, retention: 7 * 86_400_000 },
        features: { partitions: 3, retention: 7 * 86_400_000 },
        dlq: { partitions: 1, retention: 14 * 86_400_000 },
        models: { partitions: 1, max_message_bytes: 16_777_216 },
        incidents: { partitions: 3 },
        sampled: { partitions: 6, retention: 86_400_000 },
      },
    });
  });

  it("returns a deeply frozen config", () => {
    const config = loadConfig({ text: "" }, {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.spec.sources.kafka.brokers)).toBe(true);
    expect(Object.isFrozen(config.spec.alerts[0])).toBe(true);
  });

  it("fails with the file name when the file cannot be read", () => {
    expect(() => loadConfig({ path: "/nonexistent/tw.yaml" }, {})).toThrow(
      /\/nonexistent\/tw\.yaml: [\s\S]*cannot read the file \(ENOENT\)/,
    );
  });

  it("resolves sink names and the kafka sink topic", () => {
    const config = loadConfig(
      {
        text: "spec:\n  sources: { kafka: { brokers: [k:9092] } }\n  sinks: [{ type: kafka }, { type: webhook, url: 'https://h/x', name: a }]\n",
      },
      {},
    );
    expect(config.spec.sinks[0]).toEqual({ type: "kafka", name: "kafka", topic: "tracewatch.alerts" });
    expect(config.spec.sinks[1]).toMatchObject({ name: "a", timeout: 5_000, retries: 5 });
  });

  it("lists condition problems found by the injected checker with the rule's path", () => {
    const checkCondition = (c: string) => (c.includes("p99_baseline") ? "unknown identifier at 1:30" : null);
    try {
      loadConfig({ text: "" }, {}, { checkCondition });
      throw new Error("should have failed");
    } catch (err) {
      expect((err as TracewatchError).details?.problems).toEqual([
        "spec.alerts[0].condition: unknown identifier at 1:30",
      ]);
    }
  });
});

describe("redactConfig", () => {
  it("replaces every secret and keeps the rest", async () => {
    const { redactConfig, REDACTED } = await import("../../../src/config/redact.js");
    const config = loadConfig(
      {
        text: "spec:\n  sources: { kafka: { brokers: [k:1], sasl: { mechanism: plain, username: u, password: p4ss } } }\n  sinks: [{ type: webhook, url: 'https://h/x', secret: s3cr3t }]\n  api: { token: '0123456789abcdef0' }\n",
      },
      {},
    );
    const shown = JSON.stringify(redactConfig(config));
    for (const secret of ["p4ss", "s3cr3t", "0123456789abcdef0"]) expect(shown).not.toContain(secret);
    expect(shown.split(REDACTED)).toHaveLength(4);
    expect(shown).toContain('"username":"u"');
  });
});
