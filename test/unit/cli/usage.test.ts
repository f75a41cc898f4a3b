import { afterEach, describe, expect, it, vi } from "vitest";
import { run } from "../../../src/cli/main.js";
import { captureCli } from "../../helpers/cli-output.js";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs `tracewatch ARGV` in process and returns its exit code and output. */
const cli = (argv: string[]) => captureCli(() => run(argv));

describe("tracewatch called wrongly", () => {
  it.each(["serve", "replay", "retrain", "bench", "eval"])(
    "%s: an unknown option exits 2 and points to --help",
    async (command) => {
      const { code, stderr } = await cli([command, "--bogus"]);
      expect(code).toBe(2);
      expect(stderr).toBe(
        `tracewatch ${command}: unknown option --bogus\nRun 'tracewatch ${command} --help' for the options.\n`,
      );
    },
  );

  it.each([
    [["replay", "--trian", "x.json"], "unknown option --trian (did you mean --train?)"],
    [["serve", "--confg", "x.yaml"], "unknown option --confg (did you mean --config?)"],
    [["bench", "--skip_kafka"], "unknown option --skip_kafka (did you mean --skip-kafka?)"],
  ])("%j names the option meant", async (argv, expected) => {
    const { code, stderr } = await cli(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(`: ${expected}\n`);
  });

  it("a missing option value exits 2", async () => {
    const { code, stderr } = await cli(["serve", "--config"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^tracewatch serve: Option '-c, --config <value>' argument missing\nRun 'tracewatch serve --help'/,
    );
  });

  it("an unexpected argument exits 2", async () => {
    const { code, stderr } = await cli(["serve", "extra"]);
    expect(code).toBe(2);
    expect(stderr).toContain("tracewatch serve: unexpected argument extra\n");
  });
});
