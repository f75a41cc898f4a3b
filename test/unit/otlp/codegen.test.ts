import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OUTPUT, generate } from "../../../scripts/codegen-otlp.mjs";

describe("generated OTLP field constants", () => {
  it("match what the vendored .proto files produce", () => {
    expect(readFileSync(OUTPUT, "utf8")).toBe(generate());
  });

  it.each([
    ["Tag_Span", "trace_id", 1, 2],
    ["Tag_Span", "start_time_unix_nano", 7, 1],
    ["Tag_Span", "flags", 16, 5],
    ["Tag_Span", "status", 15, 2],
    ["Tag_Status", "code", 3, 0],
    ["Tag_AnyValue", "double_value", 4, 1],
  ])("%s.%s is field %i with wire type %i", (enumName, field, number, wire) => {
    const source = generate();
    const block = source.split(`export const enum ${enumName} {`)[1]?.split("}")[0] ?? "";
    expect(block).toContain(`  ${field} = ${number * 8 + wire},`);
  });
});
