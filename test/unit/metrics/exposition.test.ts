import { describe, expect, it } from "vitest";
import { checkExposition } from "./exposition.js";

const HIST = "# TYPE h histogram\n";

describe("the strict exposition checker used on /metrics", () => {
  it("accepts a valid text", () => {
    const text = `# HELP c_total Things.\n# TYPE c_total counter\nc_total{a="x\\"y\\\\z\\n"} 3\n${HIST}h_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3.5\nh_count 2\n`;
    const { problems, samples } = checkExposition(text);
    expect(problems).toEqual([]);
    expect(samples[0]?.labels.a).toBe('x"y\\z\n');
  });

  it.each([
    ["a bad metric name", "1abc 3\n", "not a valid sample"],
    ["an unescaped quote", 'c{a="x"y"} 1\n', "not a valid sample"],
    ["a non-numeric value", "c one\n", "not a valid sample"],
    ["an unknown type", "# TYPE c countr\nc 1\n", "unknown type"],
    ["a duplicate series", "c 1\nc 2\n", "duplicate series"],
    ["split families", 'a 1\nb 1\na{x="1"} 1\n', "not contiguous"],
    ["a missing final newline", "c 1", "newline"],
    ["decreasing buckets", `${HIST}h_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\n`, "not increasing"],
    ["an +Inf bucket unlike the count", `${HIST}h_bucket{le="+Inf"} 1\nh_count 2\n`, "differs from _count"],
    ["no +Inf bucket", `${HIST}h_bucket{le="1"} 1\nh_count 1\n`, "no +Inf bucket"],
    ["TYPE after samples", "c 1\n# TYPE c counter\n", "TYPE after samples"],
  ])("rejects %s", (_what, text, problem) => {
    expect(checkExposition(text).problems.join("\n")).toContain(problem);
  });
});
