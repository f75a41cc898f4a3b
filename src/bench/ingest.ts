import { TraceAssembler } from "../core/assembler/index.js";
import { ManualClock } from "../core/clock.js";
import { decodeSpans, type DecodeOptions } from "../decode/index.js";
import { exposeGc, median, otlpMessages, timed } from "./ingest-common.js";
import { syntheticSpans } from "./ingest-data.js";
import { encodeOtlpProto } from "../otlp/index.js";

/** Options of the in-process ingest benchmarks. */
export interface IngestBenchOptions {
  /** Timed repetitions; the median is reported. Default 5. */
  readonly runs?: number;
  /** Spans per timed decode run. Default 200,000. */
  readonly spans?: number;
  /** Spans buffered for the memory figure. Default 1,000,000. */
  readonly bufferedSpans?: number;
}

const SHAPE = { spansPerTrace: 10, spansPerMessage: 100, seed: 7 };

/** OTLP protobuf decode throughput, one core: 100-span messages, 7 attributes per span. */
export async function benchDecodeOtlp(options: IngestBenchOptions = {}): Promise<number> {
  const { messages, spans } = otlpMessages({
    traces: (options.spans ?? 200_000) / SHAPE.spansPerTrace,
    ...SHAPE,
  });
  const decodeOptions: DecodeOptions = {};
  for (const m of messages.slice(0, 200)) decodeSpans(m, decodeOptions);
  const rates: number[] = [];
  for (let r = 0; r < (options.runs ?? 5); r++) {
    let decoded = 0;
    const seconds = await timed(() => {
      for (const m of messages) decoded += decodeSpans(m, decodeOptions).spans.length;
    });
    if (decoded !== spans) throw new Error(`decoded ${decoded} of ${spans} spans`);
    rates.push(spans / seconds);
  }
  return Math.round(median(rates));
}

/**
 * Heap bytes per buffered span with `bufferedSpans` spans held open in the assembler after
 * decoding (default attribute retention; 10-span traces, 7 attributes per span on input).
 */
export async function benchBufferedBytes(options: IngestBenchOptions = {}): Promise<number> {
  const total = options.bufferedSpans ?? 1_000_000;
  const gc = exposeGc();
  // The assembler alone: this measures what open traces hold, not detection.
  const assembler = new TraceAssembler({
    clock: new ManualClock(0),
    maxTraces: total,
    maxBytes: Number.MAX_SAFE_INTEGER,
    processor: { process: async () => undefined },
  });
  const decodeOptions: DecodeOptions = {};
  // Warm the shared caches (interned names) before the baseline, as a running service has.
  decodeSpans(Buffer.from(encodeOtlpProto(syntheticSpans({ traces: 100, seed: 1 }))), decodeOptions);
  gc();
  const before = process.memoryUsage().heapUsed;
  const chunk = 10_000;
  for (let done = 0; done < total; done += chunk) {
    const spans = syntheticSpans({
      traces: chunk / SHAPE.spansPerTrace,
      spansPerTrace: SHAPE.spansPerTrace,
      seed: 1000 + done,
    });
    for (let i = 0; i < spans.length; i += SHAPE.spansPerMessage) {
      const bytes = encodeOtlpProto(spans.slice(i, i + SHAPE.spansPerMessage));
      assembler.add(decodeSpans(bytes, decodeOptions).spans);
    }
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  const buffered = assembler.stats().bufferedSpans;
  if (buffered !== total) throw new Error(`buffered ${buffered} of ${total} spans`);
  const perSpan = (after - before) / buffered;
  assembler.dropOpen();
  return Math.round(perSpan);
}
