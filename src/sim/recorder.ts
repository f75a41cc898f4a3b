import type { Attributes, Span, SpanKind, SpanStatus } from "../domain/span.js";
import type { TraceEffects } from "./effects.js";
import type { Prng } from "./prng.js";

/** A span before it is stamped with the trace id and absolute times (ms from the trace start). */
export interface SpanDraft {
  readonly spanId: string;
  readonly parent: string | null;
  readonly service: string;
  readonly name: string;
  readonly kind: SpanKind;
  readonly startMs: number;
  readonly endMs: number;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
}

/** Chance that one stretch of own work hits a pause, and the pause's median length (ms). */
const PAUSE_PROBABILITY = 0.004;
const PAUSE_MEDIAN_MS = 8;

const ms2ns = (ms: number): bigint => BigInt(Math.round(ms * 1e6));

/** Collects the spans of one trace; times are ms offsets from the trace start until emitted. */
export class TraceRecorder {
  readonly spans: Span[] = [];

  /**
   * How busy the hosts are while this request runs: one log-normal factor (median 1, sigma 0.25)
   * on all its work, so slowness is correlated within a trace as on real machines.
   */
  private readonly load: number;

  constructor(
    readonly rng: Prng,
    readonly traceId: string,
    private readonly baseNs: bigint,
    readonly effects: TraceEffects,
  ) {
    this.load = rng.logNormal(1, 0.25);
  }

  /** Appends one finished span. */
  emit(d: SpanDraft): void {
    const { startMs, endMs } = d;
    const start = this.baseNs + ms2ns(startMs);
    const end = this.baseNs + ms2ns(Math.max(endMs, startMs));
    this.spans.push({
      traceId: this.traceId,
      spanId: d.spanId,
      parentSpanId: d.parent,
      service: d.service,
      name: d.name,
      kind: d.kind,
      startTimeUnixNano: start,
      endTimeUnixNano: end,
      status: d.status,
      attributes: d.attributes,
    });
  }

  /**
   * Whether the next call from `caller` into `callee` fails, consuming a fault or the noise budget.
   * Background noise only hits attempts that will be retried, so it never propagates.
   */
  takeFailure(caller: string, callee: string, willRetry: boolean): number | null {
    const fx = this.effects;
    if (fx.outage === callee) return 503;
    for (const fault of fx.faults) {
      if (fault.service === callee && (fault.caller ?? caller) === caller && fault.remaining > 0) {
        fault.remaining -= 1;
        return fault.status;
      }
    }
    if (willRetry && fx.transientBudget > 0 && this.rng.chance(fx.transientProbability)) {
      fx.transientBudget -= 1;
      return 503;
    }
    return null;
  }

  /** Network latency of one direction of a call into `callee` (ms). */
  networkMs(callee: string): number {
    const slow = this.effects.slowdown;
    const extra =
      slow !== null && slow.service === callee && slow.shape === "network_delay" ? slow.addedDelayMs / 2 : 0;
    return this.rng.logNormal(0.35, 0.4) + extra;
  }

  /** Own work of `service` (ms), stretched when the service is under CPU contention. */
  workMs(service: string, median: number, sigma: number, steady = false): number {
    let base = this.rng.logNormal(median, sigma);
    // The tail real services have: host load, and a GC pause or lock wait now and then.
    // Steady work (a batch query on its own replica) has neither.
    if (!steady) base *= this.load;
    if (!steady && this.rng.chance(PAUSE_PROBABILITY)) base += this.rng.logNormal(PAUSE_MEDIAN_MS, 0.5);
    const slow = this.effects.slowdown;
    if (slow === null || slow.service !== service || slow.shape !== "cpu_contention") return base;
    return base * this.rng.logNormal(slow.slowdownMedian, 0.5);
  }

  /** Run-queue wait before `service` starts handling a call (ms): zero unless contended. */
  queueWaitMs(service: string): number {
    const slow = this.effects.slowdown;
    if (slow === null || slow.service !== service || slow.shape !== "cpu_contention") return 0;
    return this.rng.logNormal(slow.queueWaitMedianMs, 0.6);
  }
}
