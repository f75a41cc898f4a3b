import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { DEFAULT_CONFIG_PATH } from "../../../src/cli/load-config.js";
import {
  ComposeInterpolationError,
  interpolate,
  interpolateString,
  publishedTargets,
  readComposeFile,
  serviceEnvironment,
  type ComposeService,
} from "../../helpers/compose.js";

const SCHEMA = join(import.meta.dirname, "../../fixtures/compose/compose-spec.json");
const TOKEN = "t".repeat(32);

function services(env: Record<string, string>): Record<string, ComposeService> {
  return (interpolate(readComposeFile(), env) as { services: Record<string, ComposeService> }).services;
}

describe("docker-compose.yml", () => {
  it("is valid against the Compose Specification's JSON Schema (draft-07)", () => {
    const schema = JSON.parse(readFileSync(SCHEMA, "utf8")) as Record<string, unknown>;
    expect(schema.$schema).toBe("https://json-schema.org/draft-07/schema");
    // Ajv's Ajv class is the draft-07 validator; its meta-schema is filed under the http:// id with
    // a "#", the file names it by https:// without one: the same meta-schema under that name too.
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const draft07 = ajv.getSchema("http://json-schema.org/draft-07/schema")?.schema as object;
    ajv.addMetaSchema({ ...draft07, $id: schema.$schema as string });
    const validate = ajv.compile(schema);
    const valid = validate(readComposeFile());
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The validator does reject what the specification forbids.
    expect(validate({ services: { tracewatch: { restart: 5, ports: "8080" } } })).toBe(false);
  });

  it("refuses to start without an API token, saying which variable to set", () => {
    expect(() => services({})).toThrow(ComposeInterpolationError);
    expect(() => services({})).toThrow(/TRACEWATCH_API_TOKEN/);
  });

  it("gives the tracewatch service a config that loads: Kafka, both OTLP receivers and the API beyond loopback", () => {
    const tw = services({ TRACEWATCH_API_TOKEN: TOKEN }).tracewatch!;
    expect(tw.command).toEqual(["serve"]);
    const env = serviceEnvironment(tw);
    const config = loadConfig({ path: DEFAULT_CONFIG_PATH }, env);
    const { kafka, otlp_http, otlp_grpc } = config.spec.sources;
    expect(kafka).toMatchObject({ enabled: true, brokers: ["kafka:9092"], topic: "otlp_spans" });
    expect(otlp_http).toMatchObject({ enabled: true, host: "0.0.0.0" });
    expect(otlp_grpc).toMatchObject({ enabled: true, host: "0.0.0.0" });
    expect(config.spec.api).toMatchObject({ host: "0.0.0.0", token: TOKEN });
    expect(config.spec.topics.create).toBe(true);
    // Every port it listens on is published, and nothing else.
    expect(publishedTargets(tw).sort()).toEqual(
      [otlp_grpc.port, otlp_http.port, config.spec.api.port].sort(),
    );
  });

  it("gives the retrain job a config that loads", () => {
    const job = services({ TRACEWATCH_API_TOKEN: TOKEN }).retrain!;
    expect(job.command).toEqual(["retrain"]);
    const config = loadConfig({ path: DEFAULT_CONFIG_PATH }, serviceEnvironment(job));
    expect(config.spec.sources.kafka.enabled).toBe(true);
  });
});

describe("Compose variable interpolation (as the tests apply it)", () => {
  it.each([
    ["${A}", { A: "x" }, "x"],
    ["$A-$$B", { A: "x" }, "x-$B"],
    ["${A:-d}", { A: "" }, "d"],
    ["${A-d}", { A: "" }, ""],
    ["${A:-${B:-e}}", {}, "e"],
    ["${A:+y}", { A: "x" }, "y"],
    ["${A+y}", { A: "" }, "y"],
    ["${A:?need A}", { A: "v" }, "v"],
  ])("%s with %o is %s", (text, env, expected) => {
    expect(interpolateString(text, env)).toBe(expected);
  });

  it("throws the message of ${VAR:?message} when VAR is unset or empty", () => {
    expect(() => interpolateString("${A:?set A}", { A: "" })).toThrow(
      "required variable A is missing a value: set A",
    );
  });
});
