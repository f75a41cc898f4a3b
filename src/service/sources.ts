import type { Kafka } from "kafkajs";
import type { Logger } from "pino";
import type { SpanIntake } from "../core/pipeline/detection-pipeline.js";
import type { Config } from "../config/index.js";
import { decodeSpans } from "../decode/index.js";
import { otlpGrpcReceiverOptions, otlpReceiverOptions } from "../http/from-config.js";
import { createOtlpGrpcReceiver, type OtlpGrpcReceiver } from "../http/otlp-grpc-receiver.js";
import { summarizeDecode } from "../http/otlp-ingest.js";
import { createOtlpReceiver, type OtlpIngest, type OtlpReceiver } from "../http/otlp-receiver.js";
import type { SourceMetrics } from "../kafka/source-metrics.js";
import { KafkaSpanSource, type KafkaSpanSourceOptions } from "../kafka/source.js";
import type { TracewatchMetrics } from "../metrics/pipeline.js";
import { consumerTiming } from "./kafka-client.js";

/** The span consumer of `spec.sources.kafka`, feeding `assembler`; not started yet. */
export function kafkaSpanSource(
  config: Config,
  deps: {
    kafka: Kafka;
    assembler: SpanIntake;
    metrics: SourceMetrics;
    logger: Logger;
    /** Live state of the consumer and the dead-letter producer, for readiness. */
    health?: KafkaSpanSourceOptions["health"];
  },
): KafkaSpanSource {
  const k = config.spec.sources.kafka;
  return new KafkaSpanSource({
    ...deps,
    topic: k.topic,
    groupId: k.group_id,
    deadLetterTopic: config.spec.topics.dlq,
    redaction: {
      actions: config.spec.redaction,
      ...(config.spec.dead_letters.undecodable === undefined
        ? {}
        : { undecodable: config.spec.dead_letters.undecodable }),
    },
    decode: { encoding: k.encoding, maxMessageBytes: k.max_message_bytes },
    consumer: consumerTiming(config),
    // Serve's one timer ticks the pipeline.
    tickIntervalMs: 0,
  });
}

/** What an OTLP receiver needs from the service. */
export interface OtlpReceiverDeps {
  readonly assembler: SpanIntake;
  readonly metrics: TracewatchMetrics;
  /** Records refused spans by reason (the Kafka source's `rejected`). */
  readonly rejected: SourceMetrics["rejected"];
  readonly logger: Logger;
}

/**
 * The one ingest path of both OTLP receivers: decodes a request, counts its spans
 * (`tracewatch_spans_received_total`) and refused spans (`tracewatch_spans_rejected_total`, as the
 * Kafka source does) and hands them to the assembler.
 */
export function otlpIngest(deps: OtlpReceiverDeps, maxMessageBytes: number): OtlpIngest {
  const { assembler, metrics } = deps;
  // One options object per encoding for the receiver's life: decode caches its context (string
  // cache included) per options object.
  const options = {
    otlp_proto: { encoding: "otlp_proto", maxMessageBytes },
    otlp_json: { encoding: "otlp_json", maxMessageBytes },
  } as const;
  return (body, encoding) => {
    const r = decodeSpans(body, options[encoding]);
    if (r.spans.length > 0) {
      metrics.spansReceived.inc({ encoding: r.encoding }, r.spans.length);
      assembler.add(r.spans);
    }
    const summary = summarizeDecode(r);
    // An empty export request is valid OTLP, not a refusal.
    if (summary.rejected > 0 || summary.malformed === true) deps.rejected(r.rejected);
    return summary;
  };
}

/** The OTLP/HTTP receiver of `spec.sources.otlp_http`, feeding {@link otlpIngest}; not listening yet. */
export function otlpSpanReceiver(config: Config, deps: OtlpReceiverDeps): OtlpReceiver {
  return createOtlpReceiver(
    otlpReceiverOptions(config, {
      ingest: otlpIngest(deps, config.spec.sources.otlp_http.max_body_bytes),
      isOverloaded: () => deps.assembler.isOverHighWater(),
      logger: deps.logger,
      metrics: deps.metrics,
    }),
  );
}

/** The OTLP/gRPC receiver of `spec.sources.otlp_grpc`, feeding {@link otlpIngest}; not listening yet. */
export function otlpGrpcSpanReceiver(config: Config, deps: OtlpReceiverDeps): OtlpGrpcReceiver {
  return createOtlpGrpcReceiver(
    otlpGrpcReceiverOptions(config, {
      ingest: otlpIngest(deps, config.spec.sources.otlp_grpc.max_message_bytes),
      isOverloaded: () => deps.assembler.isOverHighWater(),
      logger: deps.logger,
      metrics: deps.metrics,
    }),
  );
}
