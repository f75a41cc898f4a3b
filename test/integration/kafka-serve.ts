import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Admin, Consumer, EachMessagePayload, Kafka, Producer } from "kafkajs";
import { loadConfig, type LoadConfigOptions } from "../../src/config/index.js";
import type { Config } from "../../src/config/schema.js";
import type { TraceFeatures } from "../../src/domain/features.js";
import { createLogger } from "../../src/log/index.js";
import { featureRecord } from "../../src/service/records.js";
import { Service } from "../../src/service/service.js";
import { createTestKafka, createTestTopic, deleteTopics, kafkaBrokers } from "../helpers/kafka.js";
import { TS_WORKER } from "../helpers/ts-worker.js";

/** The feature record of a trace scored while warming up (no score, no model): what retrain reads. */
export function unscoredRecord(features: TraceFeatures): string {
  return featureRecord({
    features,
    anomaly_score: null,
    p99_baseline: null,
    new_edges: [],
    new_service_combination: false,
    model_version: null,
  });
}

/**
 * The detector document of `tracewatch retrain` on the test broker: it reads feature records from
 * `features`, publishes to `models` and keeps its model store in `modelDir` (500 samples at least,
 * a 7-day window, silent logging).
 */
export function retrainJobConfig(o: { features: string; models: string; modelDir: string }): string {
  return [
    "apiVersion: aiops/v1",
    "kind: TraceAnomalyDetector",
    "metadata: { name: shop }",
    "spec:",
    "  training: { window: 7d, sample_rate: 1.0, min_samples: 500 }",
    `  sources: { kafka: { brokers: [${kafkaBrokers().join(", ")}] } }`,
    `  topics: { features: ${o.features}, models: ${o.models} }`,
    `  model_store: { dir: ${o.modelDir} }`,
    "  logging: { level: silent }",
  ].join("\n");
}

/** The output topics every serve on Kafka is given, in spec.topics' order (models is compacted). */
const OUTPUT_TOPICS = ["alerts", "features", "models", "dlq"] as const;

export interface KafkaServeOptions {
  /** Names the topics (`<prefix>-spans`, `<prefix>-alerts`, …), the model directory and the client. */
  prefix: string;
  /** Partitions of the span topic; 1 by default. */
  spanPartitions?: number;
  /** Output topics beyond alerts, features, models and dlq (incidents, sampled). */
  moreTopics?: readonly string[];
}

/**
 * A serve on the test broker: a fresh model directory, a span topic and every output topic, the
 * service once started, and the clients a test reads and writes with. `stop()` undoes all of it.
 */
export class KafkaServe {
  /** The loaded configuration and the service, once start() has run. */
  config: Config | undefined;
  service: Service | undefined;
  private readonly kafka: Kafka;
  private readonly clients: { disconnect(): Promise<void> }[] = [];

  private constructor(
    readonly dir: string,
    /** Topic names by role: spans, alerts, features, models, dlq and the extra ones. */
    readonly topics: Readonly<Record<string, string>>,
    clientId: string,
  ) {
    this.kafka = createTestKafka(clientId);
  }

  static async create(o: KafkaServeOptions): Promise<KafkaServe> {
    const dir = await mkdtemp(join(tmpdir(), `tw-${o.prefix}-`));
    const topics: Record<string, string> = {};
    try {
      topics.spans = await createTestTopic(`${o.prefix}-spans`, o.spanPartitions ?? 1);
      for (const role of [...OUTPUT_TOPICS, ...(o.moreTopics ?? [])]) {
        const compacted =
          role === "models" ? { configEntries: [{ name: "cleanup.policy", value: "compact" }] } : {};
        topics[role] = await createTestTopic(`${o.prefix}-${role}`, 1, compacted);
      }
    } catch (err) {
      await deleteTopics(Object.values(topics));
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    return new KafkaServe(dir, topics, `${o.prefix}-test`);
  }

  /** The consumer group serve reads the span topic in. */
  get groupId(): string {
    return `${this.topics.spans}-group`;
  }

  /**
   * The keys below `spec:` that point serve at these topics and this directory: spec.sources
   * (the span topic, read in `groupId`, then `moreSources`, each a line such as
   * `otlp_grpc: { enabled: false }`), spec.topics naming every output topic, spec.model_store.
   */
  kafkaSpec(moreSources: readonly string[] = []): string {
    const outputs = Object.keys(this.topics).filter((role) => role !== "spans");
    return [
      "  sources:",
      `    kafka: { topic: ${this.topics.spans}, group_id: ${this.groupId} }`,
      ...moreSources.map((line) => `    ${line}`),
      `  topics: { ${outputs.map((role) => `${role}: ${this.topics[role]}`).join(", ")} }`,
      `  model_store: { dir: ${this.dir} }`,
      "",
    ].join("\n");
  }

  /**
   * Loads `text` with the test broker as KAFKA_BROKERS, builds the service (with the training
   * worker run from the sources), lets `beforeStart` hook into it, and starts it.
   */
  async start(
    text: string,
    o: { loadOptions?: LoadConfigOptions; beforeStart?: (service: Service) => void } = {},
  ): Promise<Service> {
    const config = loadConfig({ text }, { KAFKA_BROKERS: kafkaBrokers().join(",") }, o.loadOptions);
    const service = new Service(config, createLogger({ level: "silent" }), { retrainWorker: TS_WORKER });
    this.config = config;
    this.service = service;
    o.beforeStart?.(service);
    await service.start();
    return service;
  }

  /** A connected producer, disconnected by stop(). */
  async producer(): Promise<Producer> {
    return this.connected(this.kafka.producer());
  }

  /** A connected admin client, disconnected by stop(). */
  async admin(): Promise<Admin> {
    return this.connected(this.kafka.admin());
  }

  /** A consumer in `groupId` running `eachMessage` over `topics` from their beginning; stop() disconnects it. */
  async consume(
    groupId: string,
    topics: string[],
    eachMessage: (payload: EachMessagePayload) => Promise<void>,
  ): Promise<Consumer> {
    const consumer = await this.connected(this.kafka.consumer({ groupId }));
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({ eachMessage });
    return consumer;
  }

  /** Disconnects the clients (newest first), stops the service, deletes the topics and the directory. */
  async stop(): Promise<void> {
    for (const client of this.clients.splice(0).reverse()) await client.disconnect();
    await this.service?.stop();
    await deleteTopics(Object.values(this.topics));
    await rm(this.dir, { recursive: true, force: true });
  }

  private async connected<T extends { connect(): Promise<void>; disconnect(): Promise<void> }>(
    client: T,
  ): Promise<T> {
    await client.connect();
    this.clients.push(client);
    return client;
  }
}
