import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { Producer } from "kafkajs";
import { exportTraceServiceRequestType, reverseFieldOrder } from "./collector-wire.js";

/**
 * A span exporter that writes what the OpenTelemetry Collector's Kafka exporter writes with
 * `encoding: otlp_proto` and `partition_traces_by_id: true`: one OTLP protobuf
 * ExportTraceServiceRequest per trace, keyed by the trace id, with every message's fields in the
 * order the Collector's marshaller writes them (see {@link reverseFieldOrder}).
 */
export class KafkaOtlpProtoExporter implements SpanExporter {
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const byTrace = new Map<string, ReadableSpan[]>();
    for (const s of spans) {
      const id = s.spanContext().traceId;
      byTrace.set(id, [...(byTrace.get(id) ?? []), s]);
    }
    const messages = [...byTrace].map(([traceId, group]) => ({
      key: traceId,
      value: reverseFieldOrder(
        exportTraceServiceRequestType(),
        ProtobufTraceSerializer.serializeRequest(group)!,
      ),
    }));
    this.producer.send({ topic: this.topic, acks: -1, messages }).then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (error: Error) => done({ code: ExportResultCode.FAILED, error }),
    );
  }

  async shutdown(): Promise<void> {}
}
