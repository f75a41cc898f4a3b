import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashValue, Redactor } from "../../../../src/core/alerts/redaction.js";

const sha = (s: string): string => createHash("sha256").update(s).digest("hex");
const seed = new Redactor([
  { action: "hash", key: "user.email" },
  { action: "delete", key: "internal.debug_info" },
]);

describe("Redactor", () => {
  it("hashes user.email and deletes internal.debug_info as the seed configures", () => {
    const input = { "user.email": "ann@example.com", "internal.debug_info": "stack", "http.route": "/cart" };
    expect(seed.apply(input)).toEqual({ "http.route": "/cart", "user.email": sha("ann@example.com") });
    expect(input["internal.debug_info"]).toBe("stack");
  });

  const values: [string, Parameters<typeof hashValue>[0], string][] = [
    ["a string as is", "x", sha("x")],
    ["a number as JSON", 42, sha("42")],
    ["an array as JSON", ["a", 1], sha('["a",1]')],
    ["null as JSON", null, sha("null")],
  ];
  it.each(values)("hashes %s", (_name, value, expected) => {
    expect(hashValue(value)).toBe(expected);
  });

  it("bounds the number of attributes and the length of strings", () => {
    const r = new Redactor([], { maxAttributes: 2, maxValueLength: 3 });
    expect(r.apply({ c: "3", a: "abcdef", b: ["xyzw", 1] })).toEqual({ a: "abc…", b: ["xyz…", 1] });
  });

  it("lets a later action for the same key win", () => {
    const r = new Redactor([
      { action: "hash", key: "k" },
      { action: "delete", key: "k" },
    ]);
    expect(r.apply({ k: "v" })).toEqual({});
  });
});
