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

  it("starts a level over past its bound and still joins correctly", () => {
    const keys = new JoinedKeys("->", 2, 2);
    for (let i = 0; i < 50; i++) expect(keys.get(`s${i % 7}`, `t${i % 5}`)).toBe(`s${i % 7}->t${i % 5}`);
    expect(keys.get(["gate", "way"].join(""), "orders")).toBe("gateway->orders");
  });
});
