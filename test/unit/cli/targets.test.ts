import { afterEach, describe, expect, it, vi } from "vitest";
import type { TargetResult } from "../../../src/bench/report-targets.js";
import { captureCli } from "../../helpers/cli-output.js";

const results = vi.hoisted(() => ({ targets: [] as TargetResult[] }));

vi.mock("../../../src/eval/index.js", () => ({
  runEvaluation: () => Promise.resolve({ targets: results.targets, targets_issue12: [] }),
}));
vi.mock("../../../src/bench/index.js", () => ({
  runBench: () => Promise.resolve({ targets: results.targets }),
}));

const { run } = await import("../../../src/cli/main.js");

const met: TargetResult = { figure: "synthetic.auc", measured: 0.97, target: "≥ 0.9", pass: true };
const missed: TargetResult = {
  figure: "pipeline_spans_per_sec",
  measured: 900,
  target: "≥ 1000",
  pass: false,
};
const unmeasured: TargetResult = { figure: "kafka_spans_per_sec", measured: null, target: "≥ 1", pass: null };

afterEach(() => {
  vi.restoreAllMocks();
});

const cli = (argv: string[]) => captureCli(() => run(argv));

describe.each(["eval", "bench"])("tracewatch %s", (command) => {
  it("exits 3 and lists the figure when a target is missed", async () => {
    results.targets = [met, missed, unmeasured];
    const { code, stderr } = await cli([command, "--json"]);
    expect(code).toBe(3);
    expect(stderr).toContain(
      `tracewatch ${command}: 1 of 3 targets missed: pipeline_spans_per_sec 900 (target ≥ 1000) (exit code 3; --report-only exits 0)`,
    );
  });

  it("exits 0 with --report-only, still listing the miss", async () => {
    results.targets = [met, missed];
    const { code, stderr } = await cli([command, "--json", "--report-only"]);
    expect(code).toBe(0);
    expect(stderr).toContain("1 of 2 targets missed");
  });

  it("exits 0 when every measured figure meets its target", async () => {
    results.targets = [met, unmeasured];
    const { code, stderr } = await cli([command, "--json"]);
    expect(code).toBe(0);
    expect(stderr).not.toContain("missed");
  });
});

it("eval: a bad number is wrong usage (exit 2)", async () => {
  const { code, stderr } = await cli(["eval", "--rate", "0"]);
  expect(code).toBe(2);
  expect(stderr).toContain('tracewatch eval: --rate must be a positive number, got "0"');
});
