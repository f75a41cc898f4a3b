export { KafkaSpanSource, type KafkaSpanSourceOptions } from "./source.js";
export { DeadLetterWriter, describeRejections, type SourcePosition } from "./dead-letters.js";
export { createIngestMetrics, type SharedIngestMetrics } from "./metrics.js";
export { noopSourceMetrics, type MessageOutcome, type SourceMetrics } from "./source-metrics.js";
