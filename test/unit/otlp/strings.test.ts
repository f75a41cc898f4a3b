import { describe, expect, it } from "vitest";
import { Interner } from "../../../src/decode/intern.js";
import { hex16, hex8 } from "../../../src/otlp/hex.js";
import { StringCache } from "../../../src/otlp/string-cache.js";

describe("hex ids", () => {
  it.each([
    ["0001020304050607", hex8],
    ["ffeeddccbbaa99887766554433221100", hex16],
    ["0123456789abcdef", hex8],
  ])("writes %s like Buffer does", (hex, fn) => {
    const buf = Buffer.concat([Buffer.from([9, 9]), Buffer.from(hex, "hex")]);
    expect(fn(buf, 2)).toBe(hex);
  });
});

describe("byte-keyed string cache", () => {
  it.each([
    ["ascii", "GET /api/orders"],
    ["non-ascii", "größe ✓"],
    ["empty", ""],
    ["long", "x".repeat(200)],
  ])("returns the decoded %s string, the same instance on repeats", (_kind, text) => {
    const cache = new StringCache(new Interner());
    const buf = Buffer.from(`..${text}..`, "utf8");
    const end = buf.length - 2;
    const first = cache.get(buf, 2, end);
    expect(first).toBe(text);
    expect(cache.get(Buffer.from(buf), 2, end)).toBe(first);
  });

  it("never confuses two different strings that share a slot", () => {
    const cache = new StringCache(new Interner());
    const words = Array.from({ length: 20_000 }, (_, i) => `op-${i}`);
    for (const w of words) cache.get(Buffer.from(w), 0, w.length);
    for (const w of words) expect(cache.get(Buffer.from(w), 0, w.length)).toBe(w);
  });
});
