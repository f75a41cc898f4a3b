import { describe, expect, it } from "vitest";
import { TracewatchError } from "../../../src/errors.js";
import { loadConfig } from "../../../src/config/load.js";

function errorText(text: string, env: Record<string, string>): string {
  try {
    loadConfig({ text }, env);
  } catch (err) {
    return (err as TracewatchError).message;
  }
  throw new Error("config loaded but should not have");
}

describe("environment interpolation", () => {
  it("replaces ${VAR} inside values", () => {
    const config = loadConfig(
      { text: "spec:\n  api: { token: '${TOKEN}', host: 'h${SUFFIX}' }\n" },
      { TOKEN: "t".repeat(20), SUFFIX: "ost" },
    );
    expect(config.spec.api.token).toBe("t".repeat(20));
    expect(config.spec.api.host).toBe("host");
  });

  it("uses ${VAR:-fallback} when the variable is unset or empty and $$ for a literal dollar", () => {
    const config = loadConfig(
      {
        text: "spec:\n  topics: { dlq: '${DLQ:-dead.letters}' }\n  redaction: [{ action: delete, key: 'a$$b' }]\n",
      },
      { DLQ: "" },
    );
    expect(config.spec.topics.dlq).toBe("dead.letters");
    expect(config.spec.redaction[0]?.key).toBe("a$b");
  });

  it("turns a whole ${VAR} into the number or boolean the key expects", () => {
    const config = loadConfig(
      {
        text: "spec:\n  api: { port: '${P}' }\n  training: { exclude_errors: '${X}', sample_rate: '${R}' }\n  topics: { dlq: '${N}' }\n",
      },
      { P: "9091", X: "true", R: "0.5", N: "12345" },
    );
    expect(config.spec.api.port).toBe(9091);
    expect(config.spec.training).toMatchObject({ exclude_errors: true, sample_rate: 0.5 });
    expect(config.spec.topics.dlq).toBe("12345");
  });

  it("still rejects a ${VAR} that is not the number the key expects", () => {
    expect(errorText("spec:\n  api: { port: '${P}' }\n", { P: "http" })).toContain(
      "spec.api.port: expected number, got string",
    );
  });

  it("names the path of an unset variable", () => {
    expect(
      errorText("spec:\n  sinks: [{ type: webhook, url: 'https://h/x', secret: '${HOOK_SECRET}' }]\n", {}),
    ).toContain("spec.sinks[0].secret: environment variable HOOK_SECRET is not set");
  });

  it("never prints a value that came from the environment", () => {
    const text = errorText("spec:\n  training: { window: '${W}' }\n  api: { token: short }\n", {
      W: "hunter2",
    });
    expect(text).toContain("spec.training.window: invalid duration (expected");
    expect(text).not.toContain("hunter2");
    expect(text).toContain("spec.api.token: must be >= 16 characters long");
    expect(text).not.toContain("short");
  });
});

describe("environment overrides", () => {
  it("KAFKA_BROKERS switches the Kafka source and sink on and the OTLP receiver off", () => {
    const config = loadConfig({ text: "" }, { KAFKA_BROKERS: "a:9092, [::1]:9093" });
    expect(config.spec.sources.kafka).toMatchObject({ enabled: true, brokers: ["a:9092", "[::1]:9093"] });
    expect(config.spec.sources.otlp_http.enabled).toBe(false);
    expect(config.spec.sinks.map((s) => s.type)).toEqual(["log", "kafka"]);
  });

  it("keeps the OTLP receiver on with Kafka when the file enables it", () => {
    const config = loadConfig(
      { text: "spec:\n  sources: { otlp_http: { enabled: true } }\n" },
      { KAFKA_BROKERS: "a:9092" },
    );
    expect(config.spec.sources.otlp_http.enabled).toBe(true);
  });

  it.each([
    ["TRACEWATCH_API_PORT", "9090", (c: ReturnType<typeof loadConfig>) => c.spec.api.port, 9090],
    [
      "TRACEWATCH_OTLP_PORT",
      "14318",
      (c: ReturnType<typeof loadConfig>) => c.spec.sources.otlp_http.port,
      14318,
    ],
    [
      "TRACEWATCH_API_TOKEN",
      "x".repeat(32),
      (c: ReturnType<typeof loadConfig>) => c.spec.api.token,
      "x".repeat(32),
    ],
    ["TRACEWATCH_LOG_LEVEL", "debug", (c: ReturnType<typeof loadConfig>) => c.spec.logging.level, "debug"],
    [
      "TRACEWATCH_MODEL_DIR",
      "/var/lib/tw",
      (c: ReturnType<typeof loadConfig>) => c.spec.model_store.dir,
      "/var/lib/tw",
    ],
    ["KAFKA_GROUP_ID", "g2", (c: ReturnType<typeof loadConfig>) => c.spec.sources.kafka.group_id, "g2"],
  ])("%s=%s overrides the file", (variable, value, read, expected) => {
    const config = loadConfig(
      { text: "spec:\n  api: { port: 1234 }\n  logging: { level: warn }\n" },
      { [variable]: value },
    );
    expect(read(config)).toEqual(expected);
  });

  it("names the variable when an override is invalid, without echoing it", () => {
    const text = errorText("", { TRACEWATCH_API_PORT: "eighty", TRACEWATCH_LOG_LEVEL: "loud" });
    expect(text).toContain("spec.api.port: expected number, got string (from TRACEWATCH_API_PORT)");
    expect(text).toContain(
      "spec.logging.level: invalid value (expected fatal | error | warn | info | debug | trace | silent) (from TRACEWATCH_LOG_LEVEL)",
    );
  });

  it("a token from TRACEWATCH_API_TOKEN allows a public API host", () => {
    const config = loadConfig(
      { text: "spec:\n  api: { host: 0.0.0.0 }\n" },
      { TRACEWATCH_API_TOKEN: "z".repeat(16) },
    );
    expect(config.spec.api.host).toBe("0.0.0.0");
  });

  it("TRACEWATCH_OTLP_ENABLED turns both OTLP receivers on beside Kafka, TRACEWATCH_OTLP_GRPC_ENABLED the gRPC one off", () => {
    const on = loadConfig({ text: "" }, { KAFKA_BROKERS: "k:9092", TRACEWATCH_OTLP_ENABLED: "true" });
    expect(on.spec.sources.otlp_http.enabled).toBe(true);
    expect(on.spec.sources.otlp_grpc.enabled).toBe(true);
    const grpcOff = loadConfig(
      { text: "" },
      { KAFKA_BROKERS: "k:9092", TRACEWATCH_OTLP_ENABLED: "True", TRACEWATCH_OTLP_GRPC_ENABLED: "false" },
    );
    expect(grpcOff.spec.sources.otlp_http.enabled).toBe(true);
    expect(grpcOff.spec.sources.otlp_grpc.enabled).toBe(false);
    expect(errorText("", { TRACEWATCH_OTLP_ENABLED: "yes" })).toContain("TRACEWATCH_OTLP_ENABLED");
  });
});
