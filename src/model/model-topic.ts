import { randomUUID } from "node:crypto";
import { CompressionTypes, type Consumer, type Kafka, type Producer } from "kafkajs";
import type { ModelArtifact } from "../core/model/artifact.js";
import { TracewatchError, describeError } from "../errors.js";
import { decodeArtifact, encodeArtifact } from "./codec.js";

/** Options of {@link ModelPublisher}. */
export interface ModelPublisherOptions {
  /** A connected producer (owned by the caller). */
  readonly producer: Producer;
  /** Compacted model topic. Default "tracewatch.models". */
  readonly topic?: string;
}

/**
 * Publishes artifacts on the compacted model topic: key = detector name (so compaction keeps the
 * newest model per detector), value = the encoded artifact, gzip-compressed.
 */
export class ModelPublisher {
  private readonly producer: Producer;
  private readonly topic: string;

  constructor(o: ModelPublisherOptions) {
    this.producer = o.producer;
    this.topic = o.topic ?? "tracewatch.models";
  }

  async publish(a: ModelArtifact): Promise<void> {
    try {
      await this.producer.send({
        topic: this.topic,
        compression: CompressionTypes.GZIP,
        messages: [
          { key: a.detector, value: encodeArtifact(a), headers: { "tracewatch-model-version": a.version } },
        ],
      });
    } catch (err) {
      throw new TracewatchError(
        "TW_KAFKA",
        `publish model ${a.version} to ${this.topic}: ${describeError(err)}`,
        {
          cause: err,
          retriable: true,
        },
      );
    }
  }
}

/** Options of {@link ModelFollower}. */
export interface ModelFollowerOptions {
  readonly kafka: Kafka;
  /** Detector whose models are followed (messages with other keys are ignored). */
  readonly detector: string;
  readonly topic?: string;
  /** Consumer group; default a fresh one per instance, since every instance must read every model. */
  readonly groupId?: string;
  /** Called with each model newer than any seen before. */
  readonly onModel: (a: ModelArtifact) => void;
  /** Called when a message does not decode to a valid artifact (it is skipped). */
  readonly onInvalid?: (err: unknown) => void;
  /** Versions at or below this one are ignored (e.g. the model loaded from disk at start). */
  readonly after?: string;
}

/** Follows the model topic from its beginning and hands newer models to `onModel`. */
export class ModelFollower {
  private readonly o: ModelFollowerOptions;
  private consumer: Consumer | null = null;
  private latest: string;

  constructor(o: ModelFollowerOptions) {
    this.o = o;
    this.latest = o.after ?? "";
  }

  async start(): Promise<void> {
    if (this.consumer !== null) return;
    const topic = this.o.topic ?? "tracewatch.models";
    const consumer = this.o.kafka.consumer({
      groupId: this.o.groupId ?? `tracewatch-models-${randomUUID()}`,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        if (message.key?.toString() !== this.o.detector || message.value === null) return;
        let a: ModelArtifact;
        try {
          a = decodeArtifact(message.value.toString("utf8"), `${topic}[${partition}]@${message.offset}`);
        } catch (err) {
          this.o.onInvalid?.(err);
          return;
        }
        if (a.version <= this.latest) return;
        this.latest = a.version;
        this.o.onModel(a);
      },
    });
  }

  /** Idempotent. */
  async shutdown(): Promise<void> {
    const c = this.consumer;
    this.consumer = null;
    if (c !== null) await c.disconnect();
  }
}
