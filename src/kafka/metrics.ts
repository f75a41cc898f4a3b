import type { Registry } from "prom-client";
import type { AssemblerMetrics } from "../core/assembler/index.js";
import type { ErrorCode } from "../errors.js";
import { counter, gauge, type TracewatchMetrics } from "../metrics/pipeline.js";
import type { SourceMetrics } from "./source-metrics.js";

/** The shared pipeline metrics the ingest path reports into. */
export type SharedIngestMetrics = Pick<
  TracewatchMetrics,
  | "spansReceived"
  | "spansRejected"
  | "lateSpans"
  | "duplicateSpans"
  | "deadLetters"
  | "tracesCompleted"
  | "tracesInMemory"
  | "spansInMemory"
  | "consumerLag"
>;

const REASONS: Partial<Record<ErrorCode, string>> = {
  TW_DECODE_FAILED: "decode",
  TW_SPAN_INVALID: "invalid",
  TW_MESSAGE_TOO_LARGE: "too_large",
  TW_NO_SPANS: "empty",
};

/**
 * prom-client implementations of the assembler's and the Kafka source's metric interfaces:
 * the pipeline-wide families (`shared`, from `createMetrics`) plus the ingest-only ones below,
 * registered on `registry`.
 */
export function createIngestMetrics(
  registry: Registry,
  shared: SharedIngestMetrics,
): { assembler: AssemblerMetrics; source: SourceMetrics } {
  const dropped = counter(
    registry,
    "tracewatch_traces_dropped_total",
    "Open traces discarded on rebalance or stop (re-read later).",
  );
  const processingFailures = counter(
    registry,
    "tracewatch_trace_processing_failures_total",
    "Completed traces whose processing failed (retried).",
  );
  const abandoned = counter(
    registry,
    "tracewatch_traces_abandoned_total",
    "Traces left unacknowledged for good because an alert could not be kept; their spans are re-read after a restart.",
  );
  const backPressure = gauge(
    registry,
    "tracewatch_backpressure",
    "1 while the assembler is above its high-water mark.",
  );
  const bufferedBytes = gauge(
    registry,
    "tracewatch_buffered_span_bytes",
    "Estimated heap bytes of buffered spans.",
  );
  const keptTraceBytes = gauge(
    registry,
    "tracewatch_kept_traces_bytes",
    "Estimated heap bytes of the traces kept by tail sampling and their alerts, within assembly.max_bytes.",
  );
  const inFlight = gauge(
    registry,
    "tracewatch_traces_in_flight",
    "Completed traces awaiting acknowledgement.",
  );
  const messages = counter(
    registry,
    "tracewatch_kafka_messages_total",
    "Span messages consumed, by outcome: ok, partial, dead_letter.",
    ["outcome"],
  );
  const messageBytes = counter(
    registry,
    "tracewatch_kafka_message_bytes_total",
    "Bytes of span messages consumed.",
  );
  const dlqFailures = counter(
    registry,
    "tracewatch_dlq_write_failures_total",
    "Failed writes to the dead-letter topic (retried).",
  );
  const commits = counter(
    registry,
    "tracewatch_kafka_commits_total",
    "Offset commits, by outcome: ok, failed.",
    ["outcome"],
  );
  const paused = gauge(
    registry,
    "tracewatch_kafka_paused",
    "1 while consumption is paused by back-pressure.",
  );
  const rebalances = counter(
    registry,
    "tracewatch_kafka_rebalances_total",
    "Consumer group rebalances seen.",
  );
  const assembler: AssemblerMetrics = {
    traceCompleted: (reason) => shared.tracesCompleted.inc({ reason }),
    spansDuplicate: (n) => shared.duplicateSpans.inc(n),
    spansLate: (n) => shared.lateSpans.inc({ outcome: "dropped" }, n),
    spansMerged: (n) => shared.lateSpans.inc({ outcome: "merged" }, n),
    tracesDropped: (n) => dropped.inc(n),
    processingFailed: () => processingFailures.inc(),
    traceAbandoned: () => abandoned.inc(),
    backPressure: (active) => backPressure.set(active ? 1 : 0),
    buffered: (s) => {
      shared.tracesInMemory.set(s.openTraces);
      shared.spansInMemory.set(s.spans);
      bufferedBytes.set(s.bytes);
      keptTraceBytes.set(s.sharedBytes);
      inFlight.set(s.inFlightTraces);
    },
  };
  const source: SourceMetrics = {
    messageConsumed: (outcome, bytes) => {
      messages.inc({ outcome });
      messageBytes.inc(bytes);
    },
    spansDecoded: (encoding, n) => shared.spansReceived.inc({ encoding }, n),
    rejected: (rejections) => {
      for (const r of rejections) shared.spansRejected.inc({ reason: REASONS[r.code] ?? "decode" });
    },
    deadLettered: (code) => shared.deadLetters.inc({ reason: REASONS[code] ?? "decode" }),
    deadLetterFailed: () => dlqFailures.inc(),
    committed: () => commits.inc({ outcome: "ok" }),
    commitFailed: () => commits.inc({ outcome: "failed" }),
    paused: (active) => paused.set(active ? 1 : 0),
    rebalanced: () => rebalances.inc(),
    lag: (topic, partition, n) => shared.consumerLag.set({ topic, partition: String(partition) }, n),
  };
  return { assembler, source };
}
