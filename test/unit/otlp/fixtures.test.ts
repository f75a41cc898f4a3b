import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeSpans } from "../../../src/decode/index.js";

const DIR = join(import.meta.dirname, "../../fixtures/otlp");
const expected = (
  JSON.parse(readFileSync(join(DIR, "sdk-frontend-trace.expected.json"), "utf8")) as Array<
    Record<string, unknown>
  >
).map((s) => ({
  ...s,
  startTimeUnixNano: BigInt(s.startTimeUnixNano as string),
  endTimeUnixNano: BigInt(s.endTimeUnixNano as string),
}));

describe("recorded OpenTelemetry SDK exports", () => {
  it.each([
    ["sdk-frontend-trace.pb", "otlp_proto"],
    ["sdk-frontend-trace.json", "otlp_json"],
  ])("%s decodes to the spans the SDK recorded", (file, encoding) => {
    const result = decodeSpans(readFileSync(join(DIR, file)), { attributes: { mode: "all" } });
    expect(result.encoding).toBe(encoding);
    expect(result.rejected).toEqual([]);
    expect(result.spans).toEqual(expected);
  });

  it("keeps attributes of the root and the error span only, by default", () => {
    const spans = decodeSpans(readFileSync(join(DIR, "sdk-frontend-trace.pb"))).spans;
    const withAttributes = spans.filter((s) => Object.keys(s.attributes).length > 0).map((s) => s.name);
    expect(withAttributes.sort()).toEqual(["GET /cart", "redis GET"]);
  });
});
