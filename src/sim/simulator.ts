import type { Span } from "../domain/span.js";
import type { TraceEffects } from "./effects.js";
import { InjectionPlanner } from "./inject.js";
import { traceShape } from "./inspect.js";
import type { Injection, TraceLabel } from "./labels.js";
import { makeLabel } from "./labels.js";
import { deriveSeed, Prng } from "./prng.js";
import { REQUEST_TYPES, SLOW_REQUEST_TYPE, runRequest, type RequestType } from "./requests.js";
import { ANOMALY_CATEGORIES, DEFAULT_SCHEDULE, activeWindow, validateSchedule } from "./schedule.js";
import type { AnomalyCategory, AnomalySchedule } from "./schedule.js";
import { TraceRecorder } from "./scope.js";

/** Options of a {@link Simulator}. */
export interface SimulatorOptions {
  /**
   * PRNG seed: the same seed and options give the same traces and labels (default 1); trace ids
   * also depend on `startTimeMs`, so they repeat only for the same seed and start.
   */
  readonly seed?: number;
  /** Mean arrival rate in traces per second of event time, Poisson arrivals (default 50). */
  readonly ratePerSec?: number;
  /** Event time of the simulation start (Unix ms). Live runs pass the clock's now. */
  readonly startTimeMs: number;
  /** Anomaly categories to inject (default all four; empty for normal traffic only). */
  readonly anomalies?: Iterable<AnomalyCategory>;
  /** When anomalies happen (default {@link DEFAULT_SCHEDULE}). */
  readonly schedule?: AnomalySchedule;
  /**
   * The request mix (default {@link REQUEST_TYPES}; see `mixes.ts` for others). The slow
   * near-miss type only runs with near-misses enabled, whatever the mix.
   */
  readonly requestTypes?: readonly RequestType[];
}

/** One generated trace with its ground truth. */
export interface SimulatedTrace {
  readonly traceId: string;
  /** Spans sorted by start time; the root (gateway SERVER span) has no parent. */
  readonly spans: readonly Span[];
  readonly label: TraceLabel;
  /** Start of the trace relative to the simulation start (ms of event time). */
  readonly offsetMs: number;
  /** Event time (Unix ms, fractional) at which the trace's last span ended. */
  readonly endTimeMs: number;
}

const byStart = (a: Span, b: Span): number =>
  a.startTimeUnixNano < b.startTimeUnixNano ? -1 : a.startTimeUnixNano > b.startTimeUnixNano ? 1 : 0;

/**
 * Synthetic microservice traffic with labelled injected anomalies (see docs/simulate.md). Pure:
 * event time advances only with the generated arrivals, never with the wall clock.
 */
export class Simulator {
  private readonly seed: number;
  private readonly meanGapMs: number;
  private readonly startTimeMs: number;
  private readonly startNs: bigint;
  private readonly enabled: ReadonlySet<AnomalyCategory>;
  private readonly schedule: AnomalySchedule;
  private readonly types: readonly RequestType[];
  private readonly cumulative: number[];
  private readonly arrivals: Prng;
  private readonly planner: InjectionPlanner;
  private readonly startLo: number;
  private readonly startHi: number;
  private index = 0;
  private offsetMs = 0;

  constructor(options: SimulatorOptions) {
    this.seed = options.seed ?? 1;
    const rate = options.ratePerSec ?? 50;
    if (!(rate > 0) || !Number.isFinite(rate))
      throw new RangeError(`ratePerSec must be a positive number, got ${rate}`);
    if (!Number.isSafeInteger(options.startTimeMs) || options.startTimeMs < 0) {
      throw new RangeError(`startTimeMs must be a non-negative integer, got ${options.startTimeMs}`);
    }
    this.meanGapMs = 1000 / rate;
    this.startTimeMs = options.startTimeMs;
    this.startNs = BigInt(options.startTimeMs) * 1_000_000n;
    this.startLo = options.startTimeMs % 2 ** 32;
    this.startHi = Math.floor(options.startTimeMs / 2 ** 32);
    this.enabled = new Set(options.anomalies ?? ANOMALY_CATEGORIES);
    this.schedule = options.schedule ?? DEFAULT_SCHEDULE;
    const problems = validateSchedule(this.schedule);
    if (problems.length > 0) throw new RangeError(`invalid anomaly schedule: ${problems.join("; ")}`);
    this.types = (options.requestTypes ?? REQUEST_TYPES).filter(
      (t) => t.name !== SLOW_REQUEST_TYPE || this.enabled.has("near-miss"),
    );
    let sum = 0;
    this.cumulative = this.types.map((t) => (sum += t.weight));
    this.arrivals = new Prng(this.seed);
    this.planner = new InjectionPlanner(this.seed, this.startTimeMs);
  }

  /** Offset (ms) of the next trace's start from the simulation start. */
  get nextOffsetMs(): number {
    return this.offsetMs;
  }

  /** Generates the next trace; event time moves on by a Poisson gap. */
  next(): SimulatedTrace {
    const offsetMs = this.offsetMs;
    const type = this.pickType();
    const index = this.index++;
    const rng = new Prng(deriveSeed(this.seed, index, 0x7ace));
    this.offsetMs += this.arrivals.exponential(this.meanGapMs);

    // Ids come from their own stream keyed by the start as well, so a second run with the same seed
    // into the same service does not reuse the first run's trace ids (they would be dropped as late
    // spans of finished traces); the trace's content still depends on the seed alone.
    const traceId = new Prng(deriveSeed(this.seed, this.startLo, this.startHi, index, 0x1d)).traceId();
    const active = activeWindow(this.schedule, this.enabled, offsetMs);
    const decided: { effects: TraceEffects; injection: Injection } =
      type.name === SLOW_REQUEST_TYPE
        ? {
            ...this.planner.decide(null, type.name, rng),
            injection: { kind: "near_miss_slow", requestType: type.name },
          }
        : this.planner.decide(active, type.name, rng);
    const baseNs = this.startNs + BigInt(Math.round(offsetMs * 1e6));
    const rec = new TraceRecorder(rng, traceId, baseNs, decided.effects);
    runRequest(rec, type);
    const spans = rec.spans.sort(byStart);
    const injection = confirm(decided.injection, spans);
    let endNs = baseNs;
    for (const s of spans) if (s.endTimeUnixNano > endNs) endNs = s.endTimeUnixNano;
    const startTimeMs = this.startTimeMs + Math.floor(offsetMs);
    return {
      traceId,
      spans,
      label: makeLabel(traceId, injection, startTimeMs, type.name),
      offsetMs,
      endTimeMs: Number(endNs / 1000n) / 1000,
    };
  }

  /** Traces whose start falls within the first `durationMs` of event time. */
  *until(durationMs: number): Generator<SimulatedTrace> {
    while (this.offsetMs < durationMs) yield this.next();
  }

  /** Exactly `count` traces. */
  *take(count: number): Generator<SimulatedTrace> {
    for (let i = 0; i < count; i++) yield this.next();
  }

  private pickType(): RequestType {
    const total = this.cumulative[this.cumulative.length - 1] ?? 0;
    const x = this.arrivals.next() * total;
    for (let i = 0; i < this.types.length; i++) {
      if (x < (this.cumulative[i] ?? 0)) return this.types[i]!;
    }
    return this.types[this.types.length - 1]!;
  }
}

/** An injection only counts when it left its mark: the slowed service or the new edge is present. */
function confirm(injection: Injection, spans: readonly Span[]): Injection {
  if (injection.kind === "latency_spike") {
    return spans.some((s) => s.service === injection.service) ? injection : { kind: "none" };
  }
  if (injection.kind === "unusual_path") {
    return traceShape(spans).edges.has(`${injection.caller}->${injection.callee}`)
      ? injection
      : { kind: "none" };
  }
  return injection;
}
