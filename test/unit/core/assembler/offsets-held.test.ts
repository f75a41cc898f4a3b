import { describe, expect, it } from "vitest";
import { PartitionOffsets } from "../../../../src/core/assembler/index.js";

describe("PartitionOffsets behind a message held for long", () => {
  it("keeps only the messages not yet done, and commits past all of them once the held one is done", () => {
    const offsets = new PartitionOffsets();
    const held = offsets.begin("100");
    for (let o = 101; o < 10_101; o++) offsets.begin(String(o)).seal();
    expect(offsets.pendingCommit()).toBeNull();
    expect(offsets.outstanding).toBe(1);
    held.seal();
    expect(offsets.pendingCommit()).toBe("10101");
    expect(offsets.outstanding).toBe(0);
  });

  it("commits up to the oldest message still held when later ones are done", () => {
    const offsets = new PartitionOffsets();
    offsets.begin("7").seal();
    const held = offsets.begin("9");
    offsets.begin("12").seal();
    expect(offsets.pendingCommit()).toBe("9");
    offsets.markCommitted("9");
    expect(offsets.pendingCommit()).toBeNull();
    held.seal();
    expect(offsets.pendingCommit()).toBe("13");
  });
});
