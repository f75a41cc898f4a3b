import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { expandSecret, Secret } from "../../../src/sinks/secret.js";
import { signingKey, signWebhook } from "../../../src/sinks/standard-webhooks.js";
import { isTracewatchError } from "../../../src/errors.js";

describe("Standard Webhooks signing", () => {
  it("reproduces the specification's test vector", () => {
    const key = signingKey(new Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    const headers = signWebhook("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}', key);
    expect(headers).toEqual({
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    });
  });

  it.each([
    ["without the whsec_ prefix", "plain-secret-that-is-long-enough-anyway", "does not start with whsec_"],
    ["with a key of 16 bytes", `whsec_${Buffer.alloc(16, 7).toString("base64")}`, "decodes to 16 bytes"],
    ["with a key of 65 bytes", `whsec_${Buffer.alloc(65, 7).toString("base64")}`, "decodes to 65 bytes"],
    ["with unpadded base64", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", "is not whsec_ and base64"],
  ])("refuses a secret %s, saying how to make one and never showing it", (_what, raw, reason) => {
    let caught: unknown;
    try {
      signingKey(new Secret(raw));
    } catch (err) {
      caught = err;
    }
    expect(isTracewatchError(caught, "TW_CONFIG_INVALID")).toBe(true);
    const message = (caught as Error).message;
    expect(message).toContain(reason);
    expect(message).toContain('"whsec_" followed by the base64 of 24 to 64 random bytes');
    expect(message).toContain("openssl rand -base64 32");
    expect(message).not.toContain(raw.slice(6, 20));
  });

  it("takes the base64-decoded bytes after whsec_ as the key (24 to 64 of them)", () => {
    for (const n of [24, 32, 64]) {
      const key = Buffer.alloc(n, n);
      expect(signingKey(new Secret(`whsec_${key.toString("base64")}`))).toEqual(key);
    }
  });

  it("floors fractional timestamps to whole seconds", () => {
    expect(signWebhook("a", 1700000000.987, "{}", null)).toEqual({
      "webhook-id": "a",
      "webhook-timestamp": "1700000000",
    });
  });

  it("rejects a whsec_ secret that is not base64 without showing it", () => {
    let caught: unknown;
    try {
      signingKey(new Secret("whsec_not base64!"));
    } catch (err) {
      caught = err;
    }
    expect(isTracewatchError(caught, "TW_CONFIG_INVALID")).toBe(true);
    expect((caught as Error).message).not.toContain("not base64!");
  });
});

describe("Secret", () => {
  it("never prints its value", () => {
    const s = new Secret("hunter2");
    expect(`${s}`).toBe("[redacted]");
    expect(JSON.stringify({ s })).toBe('{"s":"[redacted]"}');
    expect(inspect({ s })).not.toContain("hunter2");
    expect(s.reveal()).toBe("hunter2");
  });

  const cases: [string, Record<string, string | undefined>, string | string[]][] = [
    ["${A}", { A: "x" }, "x"],
    ["whsec_${A}${B}", { A: "ab", B: "cd" }, "whsec_abcd"],
    ["literal", {}, "literal"],
    ["${A}-${B}", { A: "x" }, ["B"]],
    ["${A}", { A: "" }, ["A"]],
  ];
  it.each(cases)("expands %s", (raw, env, expected) => {
    const out = expandSecret(raw, env);
    if (Array.isArray(expected)) expect(out).toEqual({ missing: expected });
    else expect("secret" in out && out.secret.reveal()).toBe(expected);
  });
});
