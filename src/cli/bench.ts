import { runBench } from "../bench/index.js";
import { formatBench } from "../bench/report.js";
import { defineCommand, parseCommandArgs } from "./command.js";
import { targetsExitCode } from "./targets.js";

const USAGE = `Usage: tracewatch bench [options]

Runs the benchmark suite: decode, the in-process pipeline, alert latency, rules, the model, a
retrain's cost to scoring, memory per buffered span and Kafka end to end, each part in its own
Node process; each figure is the median of several runs (docs/benchmarks.md).

Kafka: KAFKA_BROKERS when set, otherwise the local broker of scripts/kafka (started if needed,
and stopped afterwards if this run started it).

Options:
      --json        one JSON object on stdout instead of the table
      --quick       fewer runs and smaller workloads (a smoke run; figures less stable)
      --skip-kafka  leave out kafka_spans_per_sec
      --report-only exit 0 even when a figure misses its target
  -q, --quiet       no progress lines on stderr
  -h, --help        this text

Exit codes: 0 every measured figure meets its target; 3 a figure missed its target (listed on
stderr; 0 with --report-only); 1 the run failed; 2 wrong usage.
`;

async function runBenchCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...argv],
    options: {
      json: { type: "boolean" },
      quick: { type: "boolean" },
      "skip-kafka": { type: "boolean" },
      "report-only": { type: "boolean" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const report = await runBench({
    quick: values.quick === true,
    skipKafka: values["skip-kafka"] === true,
    ...(values.quiet === true
      ? {}
      : { log: (line: string) => process.stderr.write(`tracewatch bench: ${line}\n`) }),
  });
  process.stdout.write(values.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatBench(report));
  return targetsExitCode("bench", report.targets, values["report-only"] === true);
}

/** `tracewatch bench`: the benchmark suite (docs/benchmarks.md). */
export const benchCommand = defineCommand(
  "bench",
  "run the benchmark suite (JSON with --json)",
  runBenchCommand,
);
