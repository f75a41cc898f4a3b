import type { Config } from "../config/index.js";
import type { CompletedTrace } from "../domain/trace.js";
import type { Span } from "../domain/span.js";
import { createLogger } from "../log/index.js";
import { ModelPublisher } from "../model/model-topic.js";
import {
  retrainFromFeatures,
  retrainFromTraces,
  type RetrainJobOptions,
  type RetrainProgress,
} from "../model/retrain-job.js";
import { ModelStore } from "../model/store.js";
import { readSpanFile } from "../replay/files.js";
import { parseFeatureRecord } from "../retrain/feature-records.js";
import { readTopicSnapshot } from "../retrain/topic-reader.js";
import { trainOptions, windowOptions } from "../service/detector.js";
import { createKafkaClient } from "../service/kafka-client.js";
import { bootstrapOf, modelTopicPlan } from "../service/topic-plan.js";
import { ensureTopics } from "../kafka/topics.js";
import { TracewatchError } from "../errors.js";
import type { Kafka } from "kafkajs";
import { defineCommand, parseCommandArgs } from "./command.js";
import { loadCliConfig } from "./load-config.js";

const USAGE = `Usage: tracewatch retrain [options] [SPAN FILES...]

Trains a model for the configured detector and saves it under the model store; with Kafka
configured (KAFKA_BROKERS) it also publishes it to the model topic, which every serving
instance follows. Input: the features topic (default when Kafka is configured) or span files.

Options:
  -c, --config PATH   detector config (default: the packaged config/default.yaml)
      --from-topic    read the features topic (spec.topics.features) from its beginning to its end
      --no-publish    save the model but do not publish it to the model topic
  -q, --quiet         no progress display on stderr
  -h, --help          this text
`;

/** Groups spans into traces by id (span files hold whole traces, in any order). */
function tracesOf(spans: readonly Span[]): CompletedTrace[] {
  const byId = new Map<string, Span[]>();
  for (const s of spans) {
    const list = byId.get(s.traceId);
    if (list === undefined) byId.set(s.traceId, [s]);
    else list.push(s);
  }
  const byEnd = [...byId].map(([traceId, list]) => ({
    end: list.reduce((m, s) => (s.endTimeUnixNano > m ? s.endTimeUnixNano : m), 0n),
    trace: { traceId, spans: list, reason: "flush" as const, completedAtMs: 0 },
  }));
  return byEnd.sort((a, b) => (a.end < b.end ? -1 : 1)).map((t) => t.trace);
}

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
): RetrainJobOptions {
  return {
    detector: config.metadata.name,
    store,
    ...(publish === undefined ? {} : { publish }),
    window: windowOptions(config),
    train: trainOptions(config),
    ...(quiet ? {} : { onProgress: progressPrinter() }),
  };
}

async function runRetrain(argv: readonly string[]): Promise<number> {
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
  const producer = publish ? kafka.producer() : null;
  await producer?.connect();
  const publisher =
    producer === null ? null : new ModelPublisher({ producer, topic: config.spec.topics.models });
  const options = jobOptions(
    config,
    store,
    values.quiet === true,
    publisher === null ? undefined : (a) => publisher.publish(a),
  );
  try {
    let skipped = 0;
    const result = fromTopic
      ? await retrainFromFeatures(
          (async function* () {
            for await (const r of readTopicSnapshot(kafka!, config.spec.topics.features)) {
              const f = r.value === null ? "empty record" : parseFeatureRecord(r.value.toString("utf8"));
              if (typeof f === "string") skipped++;
              else yield f;
            }
          })(),
          options,
        )
      : await retrainFromTraces(
          tracesOf((await Promise.all(positionals.map(readSpanFile))).flatMap((f) => f.spans)),
          options,
        );
    if (skipped > 0) logger.warn({ skipped }, "feature records skipped: not valid feature records");
    if (!result.result.ok) {
      process.stderr.write(
        `tracewatch retrain: model refused (${result.result.reason}): ${result.result.detail}\n`,
      );
      return 1;
    }
    const a = result.result.artifact;
    process.stdout.write(
      JSON.stringify({
        version: a.version,
        detector: a.detector,
        samples: a.sampleCount,
        records: result.records,
        path: result.path,
        published: producer !== null,
      }) + "\n",
    );
    return 0;
  } finally {
    await producer?.disconnect();
  }
}

export const retrainCommand = defineCommand(
  "retrain",
  "train a model from the features topic or span files and publish it",
  runRetrain,
);
