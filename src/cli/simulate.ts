import { setTimeout as sleep } from "node:timers/promises";
import { Kafka, logLevel } from "kafkajs";
import { describeError } from "../errors.js";
import { systemClock } from "../platform/clock.js";
import { InjectionAnnouncer } from "../sim/describe.js";
import { FileTraceSink } from "../sim/output/file.js";
import { KafkaTraceSink } from "../sim/output/kafka.js";
import { LabelsFile } from "../sim/output/labels-file.js";
import { OtlpHttpTraceSink } from "../sim/output/otlp-http.js";
import type { TraceSink } from "../sim/output/sink.js";
import { parseSimulateArgs, SIMULATE_USAGE, type SimulateArgs, type SimulateOutput } from "../sim/options.js";
import { runSimulation, type RunOptions, type RunSummary } from "../sim/run.js";
import { Simulator } from "../sim/simulator.js";
import type { TraceLabel } from "../sim/labels.js";
import type { Command } from "./command.js";
import { newProducer } from "../kafka/producer.js";

/** Fast mode: batches written concurrently per output (order of labels is kept either way). */
const IN_FLIGHT: Readonly<Record<SimulateOutput["kind"], number>> = { file: 1, "otlp-http": 2, kafka: 4 };

/** Creates the span topic when it does not exist yet; returns what it did, for the user. */
async function ensureTopic(kafka: Kafka, topic: string, partitions: number): Promise<string | null> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(topic)) return null;
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    return `tracewatch simulate: created topic ${topic} with ${partitions} partitions`;
  } finally {
    await admin.disconnect();
  }
}

async function buildSink(output: SimulateOutput, say: (line: string) => void): Promise<TraceSink> {
  switch (output.kind) {
    case "file":
      return new FileTraceSink({ path: output.path, format: output.format });
    case "otlp-http":
      return new OtlpHttpTraceSink({ url: output.url, encoding: output.format });
    case "kafka": {
      const kafka = new Kafka({
        clientId: "tracewatch-simulate",
        brokers: [...output.brokers],
        logLevel: logLevel.NOTHING,
        connectionTimeout: 3_000,
      });
      const created = await ensureTopic(kafka, output.topic, output.partitions);
      if (created !== null) say(created);
      return new KafkaTraceSink({
        producer: newProducer(kafka),
        topic: output.topic,
        brokers: output.brokers,
      });
    }
  }
}

function summaryLine(target: string, s: RunSummary): string {
  const labels = Object.entries(s.byLabel)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  const secs = (s.elapsedMs / 1000).toFixed(1);
  return `tracewatch simulate: ${s.traces} traces (${s.spans} spans) to ${target} in ${secs} s, event time ${(s.eventTimeMs / 1000).toFixed(1)} s; ${labels || "nothing written"}\n`;
}

type Say = (line: string) => void;

/** Announces injections on screen (live runs) and appends labels to the labels file. */
function labelHandler(
  args: SimulateArgs,
  startTimeMs: number,
  labels: LabelsFile | null,
  say: Say,
): (batch: readonly TraceLabel[]) => Promise<string | null> {
  const announcer = new InjectionAnnouncer(startTimeMs);
  return async (batch) => {
    // Fast runs cover minutes of event time in seconds: the labels file says what was injected.
    for (const label of args.fast ? [] : batch) {
      const line = announcer.announce(label);
      if (line !== null) say(line);
    }
    return labels === null ? null : labels.write(batch);
  };
}

async function execute(
  args: SimulateArgs,
  options: Pick<RunOptions, "simulator" | "sink" | "onLabels" | "signal">,
  say: Say,
): Promise<number> {
  const duration = args.durationMs === null ? "until interrupted" : `${args.durationMs / 1000} s`;
  const anomalies = args.anomalies.join(", ") || "none";
  say(
    `tracewatch simulate: seed ${args.seed}, ${args.ratePerSec} traces/s, ${duration}${args.fast ? " (fast)" : ""}, to ${options.sink.target}; anomalies: ${anomalies}`,
  );
  const result = await runSimulation({
    ...options,
    mode: args.fast ? "fast" : "live",
    ...(args.durationMs === null ? {} : { durationMs: args.durationMs }),
    ...(args.maxTraces === null ? {} : { maxTraces: args.maxTraces }),
    batchTraces: args.batchTraces,
    maxInFlight: IN_FLIGHT[args.output.kind],
    clock: systemClock,
    sleep: (ms) => sleep(ms),
  });
  process.stderr.write(summaryLine(options.sink.target, result.summary));
  if (result.ok) return 0;
  process.stderr.write(`tracewatch simulate: stopped: ${result.error}\n`);
  return 1;
}

async function simulate(args: SimulateArgs): Promise<number> {
  const startTimeMs = args.startTimeMs ?? systemClock.now();
  const { seed, ratePerSec, anomalies, schedule } = args;
  const simulator = new Simulator({ seed, ratePerSec, startTimeMs, anomalies, schedule });
  const say: Say = (line) => void (args.quiet || process.stderr.write(`${line}\n`));
  let sink: TraceSink;
  try {
    sink = await buildSink(args.output, say);
  } catch (err) {
    process.stderr.write(
      `tracewatch simulate: cannot prepare ${args.output.kind} output: ${describeError(err)}\n`,
    );
    return 1;
  }
  const labels = args.labelsPath === null ? null : new LabelsFile(args.labelsPath);
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const onLabels = labelHandler(args, startTimeMs, labels, say);
    return await execute(args, { simulator, sink, onLabels, signal: controller.signal }, say);
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await sink.close();
    await labels?.close();
  }
}

/** `tracewatch simulate`: synthetic traffic with labelled injected anomalies (docs/simulate.md). */
export const simulateCommand: Command = {
  name: "simulate",
  summary: "generate synthetic microservice traffic with labelled injected anomalies",
  async run(argv) {
    const parsed = parseSimulateArgs(argv);
    if (!parsed.ok) {
      if (parsed.help) {
        process.stdout.write(SIMULATE_USAGE);
        return 0;
      }
      process.stderr.write(
        `${parsed.errors.map((e) => `tracewatch simulate: ${e}`).join("\n")}\n\nRun 'tracewatch simulate --help' for the options.\n`,
      );
      return 2;
    }
    return simulate(parsed.args);
  },
};
