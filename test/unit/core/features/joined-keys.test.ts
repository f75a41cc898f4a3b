import { describe, expect, it } from "vitest";
import { JoinedKeys } from "../../../../src/core/features/joined-keys.js";

describe("JoinedKeys", () => {
  it("joins each pair as concatenation does, whatever the order pairs come in", () => {
    const keys = new JoinedKeys(" > ", 3, 3);
    const names = ["a", "b", "c", "d", "e"];
    for (let i = 0; i < 200; i++) {
      const a = names[(i * 7) % 5]!;
      const b = names[(i * 3) % 5]!;
      expect(keys.get(a, b)).toBe(`${a} > ${b}`);
    }
  });

  it("hands out the same string for a pair while it is cached", () => {
    const keys = new JoinedKeys("->");
    const first = keys.get("gateway", "orders");
    keys.get("orders", "db");
    const again = keys.get(["gate", "way"].join(""), "orders");
    expect(again).toBe(first);
    // Identity, not only equality: the cached string itself is returned.
    expect(Object.is(again, first)).toBe(true);
  });
});
