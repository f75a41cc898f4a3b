import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { TracewatchError } from "../../../src/errors.js";
import { createLogger } from "../../../src/log/logger.js";

function capture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter((l) => l !== ""),
  };
}

describe("createLogger", () => {
  it("writes JSON lines with the component of the child logger", () => {
    const out = capture();
    const log = createLogger({ destination: out.stream }).child({ component: "assembler", partition: 3 });
    log.info({ traceId: "ab".repeat(16) }, "trace completed");
    const line = JSON.parse(out.lines()[0] ?? "{}");
    expect(line).toMatchObject({
      level: 30,
      component: "assembler",
      partition: 3,
      service: "tracewatch",
      msg: "trace completed",
    });
    expect(typeof line.time).toBe("string");
  });

  it("drops lines below the configured level", () => {
    const out = capture();
    const log = createLogger({ destination: out.stream, level: "warn" });
    log.info("hidden");
    log.warn("shown");
    expect(out.lines().map((l) => JSON.parse(l).msg)).toEqual(["shown"]);
  });

  it.each([
    ["an authorization header", { req: { headers: { authorization: "Bearer abc123" } } }, "abc123"],
    ["a webhook secret", { sink: { secret: "whsec-42" } }, "whsec-42"],
    ["a SASL password", { kafka: { sasl: { password: "pw-99" } } }, "pw-99"],
    ["an API token", { token: "tok-7" }, "tok-7"],
    ["a sink secret in a printed config", { config: { spec: { sinks: [{ secret: "cfg-s" }] } } }, "cfg-s"],
  ])("redacts %s", (_what, fields, secret) => {
    const out = capture();
    createLogger({ destination: out.stream }).info(fields, "x");
    const text = out.lines().join("\n");
    expect(text).not.toContain(secret);
    expect(text).toContain("[redacted]");
  });

  it("serialises a TracewatchError with its code", () => {
    const out = capture();
    const err = new TracewatchError("TW_SINK_DELIVERY_FAILED", 'sink "oncall": 503', { retriable: true });
    createLogger({ destination: out.stream }).error({ err, sink: "oncall" }, "delivery failed");
    const line = JSON.parse(out.lines()[0] ?? "{}");
    expect(line.err).toMatchObject({
      code: "TW_SINK_DELIVERY_FAILED",
      retriable: true,
      message: 'sink "oncall": 503',
    });
  });

  it("prints human-readable lines when pretty", async () => {
    const out = capture();
    const log = createLogger({ destination: out.stream, pretty: true });
    log.warn({ sink: "oncall" }, "queue full");
    await new Promise((r) => setTimeout(r, 20));
    const text = out.lines().join("\n");
    expect(text).toContain("WARN");
    expect(text).toContain("queue full");
    expect(() => JSON.parse(out.lines()[0] ?? "")).toThrow();
  });
});
