export { TraceAssembler, type AddResult } from "./assembler.js";
export { PartitionOffsets, MessageAck } from "./offsets.js";
export { estimateSpanBytes, SPAN_BASE_BYTES, TRACE_BASE_BYTES } from "./trace-state.js";
export {
  ASSEMBLER_DEFAULTS,
  noopLogger,
  noopMetrics,
  type AckToken,
  type AssemblerMetrics,
  type AssemblerStats,
  type CoreLogger,
  type TraceAssemblerOptions,
  type TraceProcessor,
} from "./types.js";
