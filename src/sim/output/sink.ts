import type { SimulatedTrace } from "../simulator.js";

/** Outcome of writing one batch: results as values, so the runner decides whether to go on. */
export type WriteResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

/** Where simulated traces go: a file, an OTLP/HTTP endpoint or a Kafka topic. */
export interface TraceSink {
  /** What the sink writes to, for messages (`file:/tmp/spans.ndjson`). */
  readonly target: string;
  /** Writes whole traces (every span of each); resolves once the destination has accepted them. */
  write(traces: readonly SimulatedTrace[]): Promise<WriteResult>;
  /** Flushes and releases resources; idempotent. */
  close(): Promise<void>;
}

/** A sink that keeps what it receives, for tests and for callers that consume traces in process. */
export class InMemoryTraceSink implements TraceSink {
  readonly target = "memory";
  readonly batches: SimulatedTrace[][] = [];
  closed = false;

  async write(traces: readonly SimulatedTrace[]): Promise<WriteResult> {
    this.batches.push([...traces]);
    return { ok: true };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Every trace received, in order. */
  get traces(): SimulatedTrace[] {
    return this.batches.flat();
  }
}
