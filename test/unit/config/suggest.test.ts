import { describe, expect, it } from "vitest";
import { closest, editDistance, knownKeysAt } from "../../../src/config/suggest.js";
import { documentSchema } from "../../../src/config/schema.js";

describe("editDistance", () => {
  it.each([
    ["", "", 0],
    ["abc", "", 3],
    ["decison_wait", "decision_wait", 1],
    ["windwo", "window", 1],
    ["trees", "tress", 1],
    ["kitten", "sitting", 3],
  ] as const)("%s -> %s is %d", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe("closest", () => {
  const keys = ["decision_wait", "root_grace", "reopen_window", "max_traces", "max_bytes"];

  it.each([
    ["decison_wait", "decision_wait"],
    ["maxTraces", "max_traces"],
    ["MAX-BYTES", "max_bytes"],
    ["root_grase", "root_grace"],
  ])("suggests %s -> %s", (word, expected) => {
    expect(closest(word, keys)).toBe(expected);
  });

  it("suggests nothing for a word far from every candidate", () => {
    expect(closest("colour", keys)).toBeUndefined();
    expect(closest("x", ["y", "z"])).toBe("y");
    expect(closest("ab", ["xy"])).toBeUndefined();
  });
});

describe("knownKeysAt", () => {
  it("lists the keys of nested sections, list items and the sink type written", () => {
    const doc = { spec: { sinks: [{ type: "log" }, { type: "webhook", url: "https://h/x" }] } };
    expect(knownKeysAt(documentSchema, doc, [])).toEqual(["apiVersion", "kind", "metadata", "spec"]);
    expect(knownKeysAt(documentSchema, doc, ["spec", "assembly"])).toContain("decision_wait");
    expect(knownKeysAt(documentSchema, doc, ["spec", "alerts", 0])).toContain("condition");
    const webhook = knownKeysAt(documentSchema, doc, ["spec", "sinks", 1]);
    expect(webhook).toContain("url");
    expect(knownKeysAt(documentSchema, doc, ["spec", "sinks", 0])).not.toContain("url");
    expect(knownKeysAt(documentSchema, doc, ["spec", "nope"])).toEqual([]);
  });
});
