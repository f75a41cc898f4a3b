import type { Producer } from "kafkajs";
import { describeError } from "../../errors.js";
import { encodeOtlpProto } from "../../otlp/index.js";
import type { SimulatedTrace } from "../simulator.js";
import type { TraceSink, WriteResult } from "./sink.js";

/** Default span topic. */
export const DEFAULT_SPAN_TOPIC = "otlp_spans";

/** Options of a {@link KafkaTraceSink}. */
export interface KafkaSinkOptions {
  /** A producer built by the caller (the composition root owns Kafka clients). */
  readonly producer: Producer;
  /** Topic (default {@link DEFAULT_SPAN_TOPIC}). */
  readonly topic?: string;
  /** Brokers, for messages only. */
  readonly brokers?: readonly string[];
}

/**
 * Writes each trace as one OTLP protobuf `ExportTraceServiceRequest`, keyed by trace id (what the
 * collector's `partition_traces_by_id` does), a whole batch per produce request.
 */
export class KafkaTraceSink implements TraceSink {
  readonly target: string;
  private readonly producer: Producer;
  private readonly topic: string;
  private connected: Promise<void> | null = null;
  private attempted = false;
  private closed = false;

  constructor(options: KafkaSinkOptions) {
    this.producer = options.producer;
    this.topic = options.topic ?? DEFAULT_SPAN_TOPIC;
    this.target = `kafka:${(options.brokers ?? []).join(",")}/${this.topic}`;
  }

  async write(traces: readonly SimulatedTrace[]): Promise<WriteResult> {
    try {
      this.attempted = true;
      this.connected ??= this.producer.connect();
      await this.connected;
      const messages = traces.map((t) => ({ key: t.traceId, value: Buffer.from(encodeOtlpProto(t.spans)) }));
      await this.producer.send({ topic: this.topic, messages, acks: -1 });
      return { ok: true };
    } catch (err) {
      this.connected = null;
      return { ok: false, error: `${this.target}: ${describeError(err)}` };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Disconnect even after a failed connect or send: an open socket would keep the process alive.
    if (this.attempted) await this.producer.disconnect();
  }
}
