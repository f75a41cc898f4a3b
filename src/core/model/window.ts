import type { TraceFeatures } from "../../domain/features.js";
import type { Clock } from "../clock.js";
import type { GroupDurations } from "./baselines.js";
import { Prng } from "./prng.js";
import { RAW_DIMS, writeRaw } from "./transforms.js";
import { heldBackTypes, type HoldBackPolicy } from "./hold-back.js";
import { Bucket, type BucketLimits, type TraceFlag } from "./window-bucket.js";
import { WarmUpRate, type WarmUpProgress } from "./warm-up.js";
import { EdgeMemory, type EdgeMemoryStats } from "./edge-memory.js";

/** Options of {@link RollingWindow}; defaults follow the seed's `training` section. */
export interface RollingWindowOptions {
  /** Event time source for expiry. */
  readonly clock: Clock;
  /** Window length, ms. Default 7 days. */
  readonly windowMs?: number;
  /** Number of time buckets the window is cut into; whole buckets expire. Default 168 (1 h each for 7 d). */
  readonly buckets?: number;
  /** Fraction of observed traces kept as model samples. Default 0.1. */
  readonly sampleRate?: number;
  /**
   * Warm-up: while traces come unscored (no model yet) and the window holds fewer samples than
   * this, every trace is kept as a sample, so that the first model's minimum (training.min_samples)
   * is reached after that many traces instead of that many / sampleRate. Default 0 (off).
   */
  readonly warmUpSamples?: number;
  /** Leave traces with error spans out (samples, baselines and edges). Default false. */
  readonly excludeErrors?: boolean;
  /** Upper bound on model samples in the whole window. Default 50,000. */
  readonly maxSamples?: number;
  /** Groups tracked per bucket for baselines; further groups are counted, not kept. Default 1,000. */
  readonly maxGroupsPerBucket?: number;
  /** Durations kept per group per bucket (reservoir). Default 64. */
  readonly durationsPerGroup?: number;
  /** Distinct edges kept per bucket. Default 10,000. */
  readonly maxEdgesPerBucket?: number;
  /**
   * How long a known edge is remembered after it was last seen in a learned trace, ms; at least
   * the window. Default 7 days (training.edge_retention). See {@link EdgeMemory}.
   */
  readonly edgeRetentionMs?: number;
  /** Most known edges remembered (training.max_edges). Default 100,000. */
  readonly maxEdges?: number;
  /** PRNG seed for sampling. Default 1. */
  readonly seed?: number;
}

/** What a training run reads from the window: plain data, transferable to a worker thread. */
export interface TrainingSet {
  /** Raw seed features of the model samples, row-major, RAW_DIMS per row. */
  readonly rows: Float64Array;
  /** Per sample: index into `groupNames` (typed, so the set moves to a worker cheaply). */
  readonly groupIndex: Int32Array;
  /** Per sample: index into `rootNames`. */
  readonly rootIndex: Int32Array;
  readonly groupNames: readonly string[];
  readonly rootNames: readonly string[];
  /** Durations per group_key (all observed traces, reservoir-sampled per bucket). */
  readonly durations: ReadonlyMap<string, GroupDurations>;
  /** group_key → root key, for the root-level baseline fallback. */
  readonly rootOf: ReadonlyMap<string, string>;
  readonly edges: readonly string[];
  /** Event time span covered, Unix ms. */
  readonly startMs: number;
  readonly endMs: number;
  /** Traces observed in the live buckets (before sampling). */
  readonly observed: number;
  /** Flagged traces of the live buckets held back by the snapshot's policy (0 without one). */
  readonly heldBack: number;
}

/** Counters a caller may export as metrics. */
export interface WindowStats {
  readonly buckets: number;
  readonly samples: number;
  readonly observed: number;
  /** Traces older than the window when observed. */
  readonly tooOld: number;
  readonly excluded: number;
  /** Groups not tracked because a bucket was at maxGroupsPerBucket. */
  readonly groupsDropped: number;
  readonly expiredBuckets: number;
}

/**
 * A bounded, time-bucketed sample of recent feature vectors. Memory is bounded by
 * `maxSamples` rows in all (shared equally between live buckets) plus, per bucket, `maxGroupsPerBucket × durationsPerGroup` durations and
 * `maxEdgesPerBucket` edges, whatever the traffic. Whole buckets expire once older than the window.
 */
export class RollingWindow {
  private readonly clock: Clock;
  private readonly windowMs: number;
  private readonly bucketMs: number;
  private readonly sampleRate: number;
  private readonly warmUpSamples: number;
  private readonly warmUpRate = new WarmUpRate();
  /** Known edges from every learned trace, beyond the window's buckets (see EdgeMemory). */
  private readonly edgeMemory: EdgeMemory;
  private observedTotal = 0;
  private readonly excludeErrors: boolean;
  private readonly limits: BucketLimits;
  private readonly maxSamples: number;
  private readonly prng: Prng;
  /** Draws for flagged traces only, so that they leave the sampling of the others unchanged. */
  private readonly flaggedPrng: Prng;
  private readonly buckets = new Map<number, Bucket>();
  private readonly raw = new Float64Array(RAW_DIMS);
  private tooOld = 0;
  private excluded = 0;
  private expired = 0;
  private lastCutoffBucket = Number.NaN;

  constructor(o: RollingWindowOptions) {
    this.clock = o.clock;
    this.windowMs = o.windowMs ?? 7 * 24 * 3_600_000;
    const n = Math.max(1, Math.floor(o.buckets ?? 168));
    this.bucketMs = Math.max(1, Math.ceil(this.windowMs / n));
    this.sampleRate = o.sampleRate ?? 0.1;
    this.warmUpSamples = Math.max(0, o.warmUpSamples ?? 0);
    this.excludeErrors = o.excludeErrors ?? false;
    this.maxSamples = Math.max(1, o.maxSamples ?? 50_000);
    this.limits = {
      samples: this.maxSamples,
      groups: o.maxGroupsPerBucket ?? 1_000,
      durationsPerGroup: o.durationsPerGroup ?? 64,
      edges: o.maxEdgesPerBucket ?? 10_000,
    };
    this.edgeMemory = new EdgeMemory({
      retentionMs: Math.max(this.windowMs, o.edgeRetentionMs ?? 7 * 24 * 3_600_000),
      maxEdges: o.maxEdges ?? 100_000,
    });
    this.prng = new Prng(o.seed ?? 1);
    this.flaggedPrng = new Prng((o.seed ?? 1) ^ 0x2545f491);
  }

  /**
   * Adds a trace (by its event time) and expires buckets that left the window. `flag` is what
   * the detector said about it (default "unscored"): flagged traces are kept apart so that
   * {@link snapshot} can learn them or hold them back.
   */
  observe(f: TraceFeatures, flag: TraceFlag = "unscored"): void {
    this.expire();
    if (this.excludeErrors && f.error_count > 0) {
      this.excluded++;
      return;
    }
    const id = Math.floor(f.startTimeMs / this.bucketMs);
    if ((id + 1) * this.bucketMs <= this.clock.now() - this.windowMs) {
      this.tooOld++;
      return;
    }
    let b = this.buckets.get(id);
    if (b === undefined) {
      this.buckets.set(id, (b = new Bucket(id * this.bucketMs, this.limits)));
      this.rebalance();
    }
    writeRaw(f, this.raw, 0);
    this.observedTotal++;
    // A flagged trace's edges wait in its bucket until the policy says whether its type is learned.
    if (flag !== "flagged") for (const e of f.edges) this.edgeMemory.note(e, f.startTimeMs);
    const prng = flag === "flagged" ? this.flaggedPrng : this.prng;
    // The draw is made either way, so warm-up leaves the later sampling sequence unchanged.
    let sample = prng.next() < this.sampleRate;
    const warming = flag === "unscored" && this.warmUpSamples > 0;
    if (warming && !sample) sample = this.size < this.warmUpSamples;
    b.add(f, this.raw, flag, prng, sample);
    if (warming) this.warmUpRate.note(this.clock.now(), this.size);
  }

  /**
   * Progress towards the first model: samples held, the minimum (warmUpSamples), traces observed
   * since start, and the time to go at the recent sample rate (event time).
   */
  warmUp(): WarmUpProgress {
    return this.warmUpRate.progress(this.size, this.warmUpSamples, this.observedTotal);
  }

  /** Drops buckets that ended before now − window. Called by observe; call it from a scheduler too. */
  expire(): void {
    const cutoff = this.clock.now() - this.windowMs;
    // Which buckets are expired only changes when the cutoff crosses a bucket boundary.
    const cutoffBucket = Math.floor(cutoff / this.bucketMs);
    if (cutoffBucket === this.lastCutoffBucket) return;
    this.lastCutoffBucket = cutoffBucket;
    this.edgeMemory.expire(this.clock.now());
    let changed = false;
    for (const [id, b] of this.buckets) {
      if (b.startMs + this.bucketMs <= cutoff) {
        this.buckets.delete(id);
        this.expired++;
        changed = true;
      }
    }
    if (changed) this.rebalance();
  }

  /**
   * Shares max_samples equally between live buckets: a lone bucket may fill the whole budget, and
   * each new bucket takes its share from the others by uniform random eviction.
   */
  private rebalance(): void {
    const share = Math.max(1, Math.floor(this.maxSamples / Math.max(1, this.buckets.size)));
    for (const b of this.buckets.values()) b.limitSamples(share, this.prng);
  }

  /** Whether traces with error spans are left out (`exclude_errors`). */
  get excludesErrors(): boolean {
    return this.excludeErrors;
  }

  /** The clock, window and bucket lengths (ms): what a store rolling with this window needs. */
  get geometry(): { readonly clock: Clock; readonly windowMs: number; readonly bucketMs: number } {
    return { clock: this.clock, windowMs: this.windowMs, bucketMs: this.bucketMs };
  }

  /**
   * Adds edges known from elsewhere (the edges of a model loaded at start-up) that the memory does
   * not hold yet, as last seen at `atMs`, so that a restart does not forget them.
   */
  rememberEdges(edges: Iterable<string>, atMs: number): void {
    this.edgeMemory.seed(edges, atMs);
  }

  /** The known-edge memory's size and what it forgot. */
  edgeStats(): EdgeMemoryStats {
    return this.edgeMemory.stats();
  }

  /** Model samples currently held. */
  get size(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.sampleCount;
    return n;
  }

  stats(): WindowStats {
    let observed = 0;
    let dropped = 0;
    for (const b of this.buckets.values()) {
      observed += b.observed;
      dropped += b.groupsDropped;
    }
    return {
      buckets: this.buckets.size,
      samples: this.size,
      observed,
      tooOld: this.tooOld,
      excluded: this.excluded,
      groupsDropped: dropped,
      expiredBuckets: this.expired,
    };
  }

  /**
   * Copies the live window into a {@link TrainingSet}. Under `policy`, the flagged traces of each
   * (bucket, request type) judged to hold an incident for that type (see {@link heldBackTypes})
   * are left out — samples, durations and edges alike; every other trace is included, flagged ones
   * too. Without a policy every trace is included.
   */
  snapshot(policy?: HoldBackPolicy): TrainingSet {
    this.expire();
    const live = [...this.buckets.values()].sort((a, b) => a.startMs - b.startMs);
    const held = heldBackTypes(
      live.map((b) => b.typeFlags),
      policy,
    );
    let size = 0;
    live.forEach((b, i) => (size += b.countSamples(held[i] as Set<string>)));
    const rows = new Float64Array(size * RAW_DIMS);
    const groups = new Interner(size);
    const roots = new Interner(size);
    const durations = new Map<string, { total: number[]; maxSpan: number[] }>();
    const rootOf = new Map<string, string>();
    let observed = 0;
    let heldBack = 0;
    live.forEach((b, i) => {
      const h = held[i] as Set<string>;
      b.copySamples(rows, groups.count, groups, roots, h);
      b.copyDurations(durations, rootOf, h, this.flaggedPrng);
      this.learnEdges(b, h);
      observed += b.observed;
      heldBack += b.flaggedOf(h);
    });
    const edges = this.edgeMemory.known();
    const first = live[0];
    const last = live[live.length - 1];
    return {
      rows,
      groupIndex: groups.index,
      rootIndex: roots.index,
      groupNames: groups.names,
      rootNames: roots.names,
      durations,
      rootOf,
      edges,
      startMs: first === undefined ? this.clock.now() : first.startMs,
      endMs: last === undefined ? this.clock.now() : Math.min(last.startMs + this.bucketMs, this.clock.now()),
      observed,
      heldBack,
    };
  }

  /**
   * Adds the bucket's learned edges to the memory: those of its flagged traces whose type is not
   * held back join now (counted once, seen at the bucket's start); unflagged ones are there already.
   */
  private learnEdges(b: Bucket, heldBack: ReadonlySet<string>): void {
    const learned = new Set<string>();
    b.copyEdges(learned, heldBack);
    for (const e of learned) this.edgeMemory.note(e, b.startMs, this.edgeMemory.has(e) ? 0 : 1);
  }
}

/** Maps strings to small integers in first-seen order, filling a per-sample index array. */
export class Interner {
  readonly index: Int32Array;
  readonly names: string[] = [];
  count = 0;
  private readonly ids = new Map<string, number>();

  constructor(capacity: number) {
    this.index = new Int32Array(capacity);
  }

  push(name: string): void {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
    }
    this.index[this.count++] = id;
  }
}
