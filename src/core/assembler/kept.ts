import { Fifo } from "../fifo.js";
import type { TraceState } from "./trace-state.js";

interface Entry {
  readonly state: TraceState;
  readonly keptAtMs: number;
}

/**
 * Completed traces whose spans are kept for a while so that a late span can re-open its trace
 * (see docs/assembly.md). Oldest first: expiry and trimming to the memory bound both take
 * the oldest. A kept trace is only an option: dropping it early loses the chance to merge a late
 * span, nothing else, so it is the first memory given up.
 */
export class KeptTraces {
  private readonly byId = new Map<string, TraceState>();
  private order = new Fifo<Entry>();
  /** Estimated heap bytes of the kept traces' spans. */
  bytes = 0;

  get size(): number {
    return this.byId.size;
  }

  keep(state: TraceState, atMs: number): void {
    state.keptAtMs = atMs;
    this.byId.set(state.traceId, state);
    this.order.push({ state, keptAtMs: atMs });
    this.bytes += state.bytes;
  }

  /** The kept trace `traceId`, without taking it out. */
  get(traceId: string): TraceState | undefined {
    return this.byId.get(traceId);
  }

  /** Takes the kept trace out (to re-open it). */
  take(state: TraceState): void {
    if (this.byId.get(state.traceId) !== state) return;
    this.byId.delete(state.traceId);
    this.bytes -= state.bytes;
    state.keptAtMs = -1;
  }

  /** Forgets the traces kept at or before `beforeMs`. */
  expire(beforeMs: number): void {
    for (let e = this.live(); e !== undefined && e.keptAtMs <= beforeMs; e = this.live()) this.dropOldest();
  }

  /** Forgets the oldest kept trace; false when none is kept. */
  dropOldest(): boolean {
    const e = this.live();
    if (e === undefined) return false;
    this.order.shift();
    this.take(e.state);
    return true;
  }

  clear(): void {
    for (const state of this.byId.values()) state.keptAtMs = -1;
    this.byId.clear();
    this.order = new Fifo();
    this.bytes = 0;
  }

  /** The oldest entry still describing a kept trace (entries of re-opened traces are skipped). */
  private live(): Entry | undefined {
    let e: Entry | undefined;
    while ((e = this.order.peek()) !== undefined) {
      if (e.state.keptAtMs === e.keptAtMs && this.byId.get(e.state.traceId) === e.state) return e;
      this.order.shift();
    }
    return undefined;
  }
}
