import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../../src/config/duration.js";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["2s", 2_000],
    ["10s", 10_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["7d", 604_800_000],
    ["1.5s", 1_500],
    ["0s", 0],
  ])("parses %s into %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["7x", "10", "s", "-1s", "1 s", "", "1e3s", "10sec", "1h30m"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe("formatDuration", () => {
  it.each([
    [604_800_000, "7d"],
    [10_000, "10s"],
    [1_500, "1500ms"],
    [0, "0ms"],
    [90_000, "90s"],
  ])("renders %d ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});
