import type { Config } from "../config/index.js";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Clock } from "../core/clock.js";
import type { ModelArtifact } from "../core/model/artifact.js";
import type { TrainResult } from "../core/model/trainer.js";
import { createLogger } from "../log/index.js";
import { ModelPublisher } from "../model/model-topic.js";
import { systemClock } from "../platform/clock.js";
import { retrainFromFeatures, type RetrainJobOptions, type RetrainProgress } from "../model/retrain-job.js";
import { ModelStore } from "../model/store.js";
import { parseFeatureRecord } from "../retrain/feature-records.js";
import { retrainFromSpanFiles, type SpanRetrainProgress } from "../retrain/span-files.js";
import { readTopicSnapshot } from "../retrain/topic-reader.js";
import { trainOptions, windowOptions } from "../service/detector.js";
import { createKafkaClient } from "../service/kafka-client.js";
import { bootstrapOf, modelTopicPlan } from "../service/topic-plan.js";
import { ensureTopics } from "../kafka/topics.js";
import { TracewatchError } from "../errors.js";
import type { Kafka } from "kafkajs";
import { defineCommand, parseCommandArgs } from "./command.js";
import { loadCliConfig } from "./load-config.js";
import { newProducer } from "../kafka/producer.js";

const USAGE = `Usage: tracewatch retrain [options] [SPAN FILES...]

Trains a model for the configured detector and saves it under the model store; with Kafka
configured (KAFKA_BROKERS) it also publishes it to the model topic, which every serving
instance follows. Input: the features topic (default when Kafka is configured) or span files.

Span files (NDJSON of native spans or OTLP JSON requests, the TrainTicket CSV; .gz too) are
streamed through serve's own pipeline on event time: memory is bounded by the training window and
the assembler's limits, not by the files, and flagged traces of an incident in the files are held
back from training as serve holds them back. A single OTLP protobuf request file, or JSON that is
not one value per line, is read whole, up to 256 MiB. The model is stamped with the wall-clock
time it was trained (trainedAt, version); the data's event time range is recorded as dataFrom and
dataTo. Progress (spans, traces, window, bytes read, ETA) goes to stderr every 5 seconds.

Options:
  -c, --config PATH   detector config (default: the packaged config/default.yaml)
      --from-topic    read the features topic (spec.topics.features) from its beginning to its end
      --no-publish    save the model but do not publish it to the model topic
  -q, --quiet         no progress display on stderr
  -h, --help          this text
`;

/** Progress on stderr: one rewritten line on a terminal, a line per phase change otherwise. */
function progressPrinter(): (p: RetrainProgress) => void {
  const tty = process.stderr.isTTY === true;
  let phase = "";
  return (p) => {
    const line = `retrain ${p.phase}: ${p.records} records, ${p.windowSamples} window samples`;
    if (tty) process.stderr.write(`\r${line}${p.phase === "done" ? "\n" : ""}`);
    else if (p.phase !== phase) process.stderr.write(line + "\n");
    phase = p.phase;
  };
}

const MB = 1024 * 1024;

/** One progress line of a span-file job: spans, traces, window, bytes read of the total, ETA. */
export function spanProgressLine(p: SpanRetrainProgress): string {
  const read = `${(p.bytesRead / MB).toFixed(1)}/${(p.totalBytes / MB).toFixed(1)} MB`;
  const pct = p.totalBytes > 0 ? ` (${Math.floor((100 * p.bytesRead) / p.totalBytes)}%)` : "";
  const eta = p.phase === "reading" && p.etaMs !== null ? `, ETA ${Math.ceil(p.etaMs / 1000)} s` : "";
  return `tracewatch retrain ${p.phase}: ${p.spans} spans, ${p.traces} traces, window ${p.windowSamples} samples, ${read}${pct}${eta}, ${(p.elapsedMs / 1000).toFixed(1)} s\n`;
}

/**
 * Before any work: the features topic must exist to be read, and the model topic is created when
 * missing (as serve does; spec.topics.create false: an error naming it and the command).
 */
async function prepareTopics(
  kafka: Kafka,
  config: Config,
  publish: boolean,
  fromTopic: boolean,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const features = config.spec.topics.features;
    if (fromTopic && !(await admin.listTopics()).includes(features))
      throw new TracewatchError(
        "TW_KAFKA",
        `features topic ${features} does not exist: nothing to train from (serve creates it and writes each scored trace's features to it; give span files instead)`,
      );
    if (!publish) return;
    const { created } = await ensureTopics(admin, modelTopicPlan(config), {
      create: config.spec.topics.create,
      bootstrap: bootstrapOf(config),
    });
    for (const t of created)
      process.stderr.write(
        `tracewatch retrain: created topic ${t.topic} (${t.role}, cleanup.policy=${t.cleanupPolicy})\n`,
      );
  } finally {
    await admin.disconnect();
  }
}

function jobOptions(
  config: Config,
  store: ModelStore,
  quiet: boolean,
  publish: RetrainJobOptions["publish"],
  trainedAtMs: number,
): RetrainJobOptions {
  return {
    detector: config.metadata.name,
    learnBelow: config.spec.detection.threshold,
    trainedAtMs,
    store,
    ...(publish === undefined ? {} : { publish }),
    window: windowOptions(config),
    train: trainOptions(config),
    ...(quiet ? {} : { onProgress: progressPrinter() }),
  };
}

/** The command; `clock` is the wall clock the model is stamped with (injected for tests). */
export async function runRetrain(argv: readonly string[], clock: Clock = systemClock): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c" },
      "from-topic": { type: "boolean" },
      "no-publish": { type: "boolean" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadCliConfig(values.config, process.env);
  const kafkaOn = config.spec.sources.kafka.enabled;
  const fromTopic = values["from-topic"] === true || (positionals.length === 0 && kafkaOn);
  if (!fromTopic && positionals.length === 0) {
    process.stderr.write(
      `tracewatch retrain: give span files, or configure Kafka to read the features topic\n\n${USAGE}`,
    );
    return 2;
  }
  if (fromTopic && !kafkaOn) {
    process.stderr.write(
      "tracewatch retrain: --from-topic needs Kafka brokers (KAFKA_BROKERS or sources.kafka.brokers)\n",
    );
    return 2;
  }
  const logger = createLogger({ level: config.spec.logging.level, pretty: process.stderr.isTTY === true });
  const store = new ModelStore({ dir: config.spec.model_store.dir, keep: config.spec.model_store.keep });
  const kafka = kafkaOn ? createKafkaClient(config, logger) : null;
  const publish = kafka !== null && values["no-publish"] !== true;
  if (kafka !== null) await prepareTopics(kafka, config, publish, fromTopic);
  const producer = publish ? newProducer(kafka) : null;
  await producer?.connect();
  const publisher =
    producer === null ? null : new ModelPublisher({ producer, topic: config.spec.topics.models });
  const options = jobOptions(
    config,
    store,
    values.quiet === true,
    publisher === null ? undefined : (a) => publisher.publish(a),
    clock.now(),
  );
  try {
    if (!fromTopic) {
      const collector = fullGc();
      const r = await retrainFromSpanFiles({
        config,
        files: positionals,
        clock,
        store,
        ...(publisher === null ? {} : { publish: (a: ModelArtifact) => publisher.publish(a) }),
        ...(values.quiet === true ? {} : { onProgress: (p) => process.stderr.write(spanProgressLine(p)) }),
        ...(collector === null ? {} : { collectGarbage: collector }),
      });
      for (const line of r.rejected.slice(0, 20))
        process.stderr.write(`tracewatch retrain: skipped ${line}\n`);
      if (r.rejected.length > 20)
        process.stderr.write(`tracewatch retrain: ... ${r.rejected.length - 20} more skipped parts\n`);
      return report(r.result, { spans: r.spans, records: r.traces, path: r.path }, producer !== null);
    }
    let skipped = 0;
    const result = await retrainFromFeatures(
      (async function* () {
        for await (const r of readTopicSnapshot(kafka!, config.spec.topics.features)) {
          const f = r.value === null ? "empty record" : parseFeatureRecord(r.value.toString("utf8"));
          if (typeof f === "string") skipped++;
          else yield f;
        }
      })(),
      options,
    );
    if (skipped > 0) logger.warn({ skipped }, "feature records skipped: not valid feature records");
    return report(result.result, { records: result.records, path: result.path }, producer !== null);
  } finally {
    await producer?.disconnect();
  }
}

/**
 * A full garbage collection, for the span-file job (see collectGarbage there): V8's `gc` made
 * reachable at run time. Null if this runtime does not allow it.
 */
function fullGc(): (() => void) | null {
  try {
    setFlagsFromString("--expose-gc");
    const gc: unknown = runInNewContext("gc");
    return typeof gc === "function" ? () => (gc as () => void)() : null;
  } catch {
    return null;
  }
}

/** Prints the job's summary (stdout, one JSON line) or why the model was refused; the exit code. */
function report(
  result: TrainResult,
  counts: { readonly spans?: number; readonly records: number; readonly path: string | null },
  published: boolean,
): number {
  if (!result.ok) {
    process.stderr.write(`tracewatch retrain: model refused (${result.reason}): ${result.detail}\n`);
    return 1;
  }
  const a = result.artifact;
  process.stdout.write(
    JSON.stringify({
      version: a.version,
      detector: a.detector,
      trainedAt: new Date(a.trainedAtMs).toISOString(),
      dataFrom: a.data === undefined ? null : new Date(a.data.fromMs).toISOString(),
      dataTo: a.data === undefined ? null : new Date(a.data.toMs).toISOString(),
      samples: a.sampleCount,
      ...(counts.spans === undefined ? {} : { spans: counts.spans }),
      records: counts.records,
      path: counts.path,
      published,
    }) + "\n",
  );
  return 0;
}

export const retrainCommand = defineCommand(
  "retrain",
  "train a model from the features topic or span files and publish it",
  (argv) => runRetrain(argv),
);
