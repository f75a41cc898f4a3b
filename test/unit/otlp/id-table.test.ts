import { describe, expect, it } from "vitest";
import { Prng } from "../../../src/core/model/prng.js";
import { IdTable } from "../../../src/otlp/id-table.js";

const hex = (buf: Uint8Array, at: number, width: number): string =>
  Buffer.from(buf.subarray(at, at + width)).toString("hex");

/** A message's worth of ids: random ones, repeats, and ids alike in their last four bytes. */
function randomIds(rng: Prng, count: number, width: number, sameTail: boolean): Uint8Array {
  const buf = new Uint8Array(count * width + 3);
  for (let k = 0; k < count; k++) {
    const at = 3 + k * width;
    if (k > 0 && rng.next() < 0.4) {
      const from = 3 + rng.int(k) * width;
      buf.copyWithin(at, from, from + width);
      continue;
    }
    for (let i = 0; i < width; i++) buf[at + i] = rng.int(256);
    if (sameTail) buf.fill(7, at + width - 4, at + width);
  }
  return buf;
}

describe("IdTable", () => {
  for (const width of [8, 16] as const) {
    it(`gives every ${width}-byte id its hex, repeats and ids alike in their last bytes included`, () => {
      const rng = new Prng(width);
      const table = new IdTable(width);
      for (let round = 0; round < 200; round++) {
        const count = 1 + rng.int(round % 20 === 0 ? 5_000 : 150);
        const buf = randomIds(rng, count, width, round % 3 === 0);
        table.reset(buf);
        for (let k = 0; k < count; k++) {
          const at = 3 + k * width;
          const id = table.idAt(at);
          const expected = hex(buf, at, width);
          expect(id).toBe(expected);
        }
        table.release();
      }
    });
  }
});
