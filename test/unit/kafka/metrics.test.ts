import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../../src/metrics/pipeline.js";
import { createIngestMetrics } from "../../../src/kafka/index.js";

describe("ingest metrics on prom-client", () => {
  it("report assembler and source events under tracewatch_ names", async () => {
    const registry = new Registry();
    const { assembler, source } = createIngestMetrics(registry, createMetrics(registry));
    assembler.traceCompleted("root", 5);
    assembler.spansLate(2);
    assembler.spansMerged(5);
    assembler.tracesDropped(3);
    assembler.buffered({ openTraces: 7, spans: 40, bytes: 9_000, inFlightTraces: 1, sharedBytes: 4_096 });
    source.messageConsumed("partial", 100);
    source.spansDecoded("otlp_proto", 4);
    source.rejected([{ code: "TW_SPAN_INVALID", message: "x", index: 0 }]);
    source.deadLettered("TW_MESSAGE_TOO_LARGE");
    source.committed(2);
    source.paused(true);
    const text = await registry.metrics();
    for (const line of [
      'tracewatch_traces_completed_total{reason="root"} 1',
      'tracewatch_late_spans_total{outcome="dropped"} 2',
      'tracewatch_late_spans_total{outcome="merged"} 5',
      "tracewatch_traces_dropped_total 3",
      "tracewatch_traces_in_memory 7",
      "tracewatch_buffered_span_bytes 9000",
      "tracewatch_kept_traces_bytes 4096",
      'tracewatch_kafka_messages_total{outcome="partial"} 1',
      'tracewatch_spans_received_total{encoding="otlp_proto"} 4',
      'tracewatch_spans_rejected_total{reason="invalid"} 1',
      'tracewatch_dlq_messages_total{reason="too_large"} 1',
      'tracewatch_kafka_commits_total{outcome="ok"} 1',
      "tracewatch_kafka_paused 1",
    ]) {
      expect(text).toContain(line);
    }
  });
});
