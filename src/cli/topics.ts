import { formatDuration } from "../config/duration.js";
import { createTopics, inspectTopics, kafkaTopicsCommand, type TopicState } from "../kafka/topics.js";
import { createLogger } from "../log/index.js";
import { createKafkaClient } from "../service/kafka-client.js";
import { bootstrapOf, serveTopicPlan } from "../service/topic-plan.js";
import { defineCommand, parseCommandArgs, UsageError } from "./command.js";
import { loadCliConfig } from "./load-config.js";

const USAGE = `Usage: tracewatch topics [options]

Prints the Kafka topics 'tracewatch serve' uses with this config and whether each exists: the
span topic (its producer's; serve waits for it) and the topics tracewatch writes (features,
models, dead letters, each kafka sink's), with the partitions, replication and retention it
creates them with (spec.topics). With --create it creates the missing ones it writes; serve does
the same at start unless spec.topics.create is false.

Options:
  -c, --config PATH   config file (default: the packaged config/default.yaml)
      --create        create the missing topics tracewatch writes
  -h, --help          this text

Exit codes: 0 every topic tracewatch writes exists (or was created); 1 some are missing (without
--create) or the broker refused; 2 wrong usage, or Kafka is not configured (KAFKA_BROKERS).
`;

const HEAD = ["TOPIC", "ROLE", "EXISTS", "PARTITIONS", "REPLICATION", "CLEANUP", "RETENTION", "ACTION"];

function row(state: TopicState, created: ReadonlySet<string>): string[] {
  const s = state.spec;
  const producers = s.owner === "producer";
  const action = created.has(s.topic)
    ? "created"
    : state.exists
      ? "-"
      : producers
        ? "wait: its producer creates it"
        : "missing: run with --create";
  return [
    s.topic,
    s.role,
    state.exists ? "yes" : "no",
    state.exists ? String(state.partitions) : producers ? "-" : String(s.partitions),
    producers ? "-" : s.replicationFactor === -1 ? "broker default" : String(s.replicationFactor),
    producers ? "-" : s.cleanupPolicy,
    producers || s.retentionMs === undefined ? "-" : formatDuration(s.retentionMs),
    action,
  ];
}

/** The plan as an aligned text table. */
export function topicTable(states: readonly TopicState[], created: ReadonlySet<string> = new Set()): string {
  const rows = [HEAD, ...states.map((s) => row(s, created))];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}

async function runTopics(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...argv],
    options: {
      config: { type: "string", short: "c" },
      create: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadCliConfig(values.config, process.env);
  if (!config.spec.sources.kafka.enabled)
    throw new UsageError("no Kafka brokers configured (set KAFKA_BROKERS or spec.sources.kafka.brokers)");
  const logger = createLogger({ level: "error", pretty: false });
  const admin = createKafkaClient(config, logger).admin();
  await admin.connect();
  try {
    const plan = serveTopicPlan(config);
    const states = await inspectTopics(admin, plan);
    const missing = states.filter((s) => !s.exists && s.spec.owner === "tracewatch").map((s) => s.spec);
    if (values.create === true) await createTopics(admin, missing);
    const created = new Set(values.create === true ? missing.map((s) => s.topic) : []);
    process.stdout.write(topicTable(states, created));
    if (missing.length > 0 && values.create !== true) {
      const commands = missing.map((s) => `  ${kafkaTopicsCommand(s, bootstrapOf(config))}\n`).join("");
      process.stderr.write(
        `tracewatch topics: ${missing.length} missing; run 'tracewatch topics --create' or:\n${commands}`,
      );
      return 1;
    }
    return 0;
  } finally {
    await admin.disconnect();
  }
}

export const topicsCommand = defineCommand(
  "topics",
  "print the Kafka topics tracewatch uses and create the missing ones (--create)",
  runTopics,
);
