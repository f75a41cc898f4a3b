import type { Producer } from "kafkajs";
import type { RedactionAction } from "../core/alerts/redaction.js";
import { MessageRedactor } from "../decode/redact-message.js";
import type { CompletedTrace } from "../domain/trace.js";
import { encodeOtlpProto } from "../otlp/proto-encode.js";
import { BatchPublisher } from "./batch-publisher.js";

/** Options of {@link SampledPublisher}. */
export interface SampledPublisherOptions {
  readonly producer: Pick<Producer, "send">;
  /** `spec.topics.sampled` (default `tracewatch.sampled`). */
  readonly topic: string;
  /** `spec.redaction`: applied before a trace leaves. */
  readonly redaction: readonly RedactionAction[];
}

/**
 * Writes kept traces whole to the sampled topic: one OTLP protobuf `ExportTraceServiceRequest`
 * per trace (every span, one ResourceSpans per service), keyed by trace id, with `spec.redaction`
 * applied by the same redactor as dead letters, so any OpenTelemetry Collector (kafka receiver,
 * `otlp_proto`), Jaeger or Tempo pipeline can store them.
 */
export class SampledPublisher {
  private readonly publisher: BatchPublisher;
  private readonly redactor: MessageRedactor;

  constructor(o: SampledPublisherOptions) {
    this.publisher = new BatchPublisher({ producer: o.producer, topic: o.topic });
    this.redactor = new MessageRedactor({ actions: o.redaction });
  }

  /** Resolves once the broker acknowledged the record. */
  publish(trace: CompletedTrace): Promise<void> {
    const redacted = this.redactor.redact(encodeOtlpProto(trace.spans), "otlp_proto");
    // Our own encoding always parses; an undecodable result would be a bug, kept out of the topic.
    if (redacted.kind !== "redacted")
      return Promise.reject(new Error(`trace ${trace.traceId}: encoded spans could not be redacted`));
    return this.publisher.publish({
      key: trace.traceId,
      value: Buffer.from(redacted.bytes.buffer, redacted.bytes.byteOffset, redacted.bytes.byteLength),
      headers: { "content-type": "application/x-protobuf" },
    });
  }

  flush(): Promise<void> {
    return this.publisher.flush();
  }
}
