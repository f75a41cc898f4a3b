import { describe, expect, it } from "vitest";
import { TracewatchError, isTracewatchError } from "../../src/errors.js";

describe("TracewatchError", () => {
  it("carries code, retriable flag and cause as enumerable fields", () => {
    const cause = new Error("socket hang up");
    const err = new TracewatchError("TW_SINK_DELIVERY_FAILED", 'sink "ops": POST failed', {
      cause,
      retriable: true,
    });
    expect(err.code).toBe("TW_SINK_DELIVERY_FAILED");
    expect(err.retriable).toBe(true);
    expect(err.cause).toBe(cause);
    expect(Object.keys(err)).toEqual(expect.arrayContaining(["code", "retriable"]));
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({
      code: "TW_SINK_DELIVERY_FAILED",
      retriable: true,
    });
    expect(isTracewatchError(err, "TW_SINK_DELIVERY_FAILED")).toBe(true);
    expect(isTracewatchError(err, "TW_CONFIG_INVALID")).toBe(false);
    expect(isTracewatchError(new Error("x"))).toBe(false);
  });
});
