import type { Clock } from "../core/clock.js";
import type { TraceLabel, TraceLabelKind } from "./labels.js";
import { MinHeap } from "./min-heap.js";
import type { TraceSink, WriteResult } from "./output/sink.js";
import type { SimulatedTrace, Simulator } from "./simulator.js";

/** Options of {@link runSimulation}. */
export interface RunOptions {
  readonly simulator: Simulator;
  readonly sink: TraceSink;
  /** Event time to simulate (ms from the simulator's start); unbounded when omitted. */
  readonly durationMs?: number;
  /** Stop after this many traces (whichever of duration and count comes first). */
  readonly maxTraces?: number;
  /**
   * "fast": write as fast as the sink accepts, event time advancing synthetically.
   * "live": write each trace once the clock passes its last span's end (the simulator must start
   * at the clock's now), flushing at least every `flushIntervalMs`.
   */
  readonly mode: "fast" | "live";
  /** Traces per write (default 100). */
  readonly batchTraces?: number;
  /** Fast mode: writes outstanding at once (default 1); labels still follow the trace order. */
  readonly maxInFlight?: number;
  /** Live mode: longest a finished trace waits for its batch (ms, default 200). */
  readonly flushIntervalMs?: number;
  readonly clock: Clock;
  /** Waits `ms` of the clock's time (live mode only). */
  readonly sleep: (ms: number) => Promise<void>;
  /** Receives each written batch's labels, after the sink accepted the batch; returns an error or null. */
  readonly onLabels?: (labels: readonly TraceLabel[]) => Promise<string | null>;
  /** Stops the run early (SIGINT); traces already generated are still written. */
  readonly signal?: AbortSignal;
}

/** What a run did. */
export interface RunSummary {
  readonly traces: number;
  readonly spans: number;
  readonly batches: number;
  readonly byLabel: Readonly<Partial<Record<TraceLabelKind, number>>>;
  /** Event time covered (ms from the simulation start to the last trace's start). */
  readonly eventTimeMs: number;
  /** Clock time the run took (ms). */
  readonly elapsedMs: number;
}

export type RunResult =
  | { readonly ok: true; readonly summary: RunSummary }
  | { readonly ok: false; readonly error: string; readonly summary: RunSummary };

class Tally {
  traces = 0;
  spans = 0;
  batches = 0;
  lastOffsetMs = 0;
  readonly byLabel: Partial<Record<TraceLabelKind, number>> = {};

  add(batch: readonly SimulatedTrace[]): void {
    this.batches++;
    for (const t of batch) {
      this.traces++;
      this.spans += t.spans.length;
      this.byLabel[t.label.label] = (this.byLabel[t.label.label] ?? 0) + 1;
      this.lastOffsetMs = Math.max(this.lastOffsetMs, t.offsetMs);
    }
  }
}

/** Drives a simulator into a sink, in fast or live mode; stops at the first batch that fails. */
export async function runSimulation(o: RunOptions): Promise<RunResult> {
  const started = o.clock.now();
  const tally = new Tally();
  const batchTraces = Math.max(1, o.batchTraces ?? 100);
  let generated = 0;
  const more = (): boolean =>
    !(o.signal?.aborted ?? false) &&
    (o.maxTraces === undefined || generated < o.maxTraces) &&
    (o.durationMs === undefined || o.simulator.nextOffsetMs < o.durationMs);
  const generate = (): SimulatedTrace => {
    generated++;
    return o.simulator.next();
  };
  const pipeline = new WritePipeline(o, tally, o.mode === "fast" ? Math.max(1, o.maxInFlight ?? 1) : 1);
  const flush: Flush = (batch) => pipeline.submit(batch);
  let error =
    o.mode === "fast"
      ? await runFast(batchTraces, more, generate, flush)
      : await runLive(o, batchTraces, more, generate, flush);
  const rest = await pipeline.drain();
  error ??= rest;
  const summary: RunSummary = {
    traces: tally.traces,
    spans: tally.spans,
    batches: tally.batches,
    byLabel: tally.byLabel,
    eventTimeMs: tally.lastOffsetMs,
    elapsedMs: o.clock.now() - started,
  };
  return error === null ? { ok: true, summary } : { ok: false, error, summary };
}

type Flush = (batch: readonly SimulatedTrace[]) => Promise<string | null>;

/**
 * Keeps up to `maxInFlight` writes outstanding and settles them in submission order, so labels
 * follow the traces in order and a failure is reported for the first batch that failed.
 */
class WritePipeline {
  private readonly inFlight: Array<{ batch: readonly SimulatedTrace[]; result: Promise<WriteResult> }> = [];
  private failed: string | null = null;

  constructor(
    private readonly o: RunOptions,
    private readonly tally: Tally,
    private readonly maxInFlight: number,
  ) {}

  /** Starts writing `batch`; resolves once there is room for another (or to the first error). */
  async submit(batch: readonly SimulatedTrace[]): Promise<string | null> {
    if (batch.length === 0 || this.failed !== null) return this.failed;
    this.inFlight.push({ batch, result: this.o.sink.write(batch) });
    while (this.inFlight.length >= this.maxInFlight && this.failed === null) await this.settleOldest();
    return this.failed;
  }

  /** Settles every outstanding write; the first error, if any. */
  async drain(): Promise<string | null> {
    while (this.inFlight.length > 0) {
      if (this.failed === null) await this.settleOldest();
      else await this.inFlight.shift()?.result;
    }
    return this.failed;
  }

  private async settleOldest(): Promise<void> {
    const next = this.inFlight.shift();
    if (next === undefined) return;
    const result = await next.result;
    if (!result.ok) {
      this.failed = result.error;
      return;
    }
    this.tally.add(next.batch);
    if (this.o.onLabels !== undefined) this.failed = await this.o.onLabels(next.batch.map((t) => t.label));
  }
}

async function runFast(
  batchTraces: number,
  more: () => boolean,
  generate: () => SimulatedTrace,
  flush: Flush,
): Promise<string | null> {
  let batch: SimulatedTrace[] = [];
  while (more()) {
    batch.push(generate());
    if (batch.length >= batchTraces) {
      const error = await flush(batch);
      if (error !== null) return error;
      batch = [];
    }
  }
  return batch.length === 0 ? null : flush(batch);
}

async function runLive(
  o: RunOptions,
  batchTraces: number,
  more: () => boolean,
  generate: () => SimulatedTrace,
  flush: Flush,
): Promise<string | null> {
  const startMs = o.clock.now() - o.simulator.nextOffsetMs;
  // Generated traces waiting for their last span to end, smallest end time first.
  const pending = new MinHeap<SimulatedTrace>((a, b) => a.endTimeMs < b.endTimeMs);
  const pendingEnd = (): number => pending.peek()?.endTimeMs ?? Infinity;
  const flushEvery = o.flushIntervalMs ?? 200;
  let batch: SimulatedTrace[] = [];
  let batchSince = o.clock.now();
  for (;;) {
    const now = o.clock.now();
    while (more() && startMs + o.simulator.nextOffsetMs <= now) pending.push(generate());
    while (pendingEnd() <= now) {
      if (batch.length === 0) batchSince = now;
      batch.push(pending.pop()!);
    }
    const finished = !more() && pending.size === 0;
    if (batch.length >= batchTraces || (batch.length > 0 && (now - batchSince >= flushEvery || finished))) {
      const error = await flush(batch);
      if (error !== null) return error;
      batch = [];
      continue;
    }
    if (finished) return null;
    const wakeAt = Math.min(
      more() ? startMs + o.simulator.nextOffsetMs : Infinity,
      pendingEnd(),
      batch.length > 0 ? batchSince + flushEvery : Infinity,
    );
    await o.sleep(Math.min(100, Math.max(1, wakeAt - now)));
  }
}
