import type { TraceFeatures } from "../../domain/features.js";
import type { Prng } from "./prng.js";
import { RAW_DIMS } from "./transforms.js";

/** Per-bucket capacities of the rolling window. */
export interface BucketLimits {
  /** Initial sample capacity; the window lowers it with {@link Bucket.limitSamples}. */
  readonly samples: number;
  readonly groups: number;
  readonly durationsPerGroup: number;
  readonly edges: number;
}

interface GroupReservoir {
  readonly total: Float64Array;
  readonly maxSpan: Float64Array;
  readonly root: string;
  seen: number;
}

/** Root key of a trace: what the baseline falls back to when its group is too small. */
export function rootKeyOf(f: TraceFeatures): string {
  return `${f.root_service} ${f.root_operation}`;
}

/** One time slice of the rolling window: reservoirs of samples and of per-group durations. */
export class Bucket {
  rows: Float64Array;
  readonly groupKeys: string[] = [];
  readonly rootKeys: string[] = [];
  readonly groups = new Map<string, GroupReservoir>();
  readonly edges = new Set<string>();
  observed = 0;
  groupsDropped = 0;
  private sampled = 0;
  private sampleLimit: number;

  constructor(
    readonly startMs: number,
    private readonly limits: BucketLimits,
  ) {
    this.sampleLimit = limits.samples;
    this.rows = new Float64Array(Math.min(limits.samples, 1024) * RAW_DIMS);
  }

  /** Sets the sample capacity, evicting uniformly random samples when above it. */
  limitSamples(limit: number, prng: Prng): void {
    this.sampleLimit = Math.max(1, limit);
    while (this.groupKeys.length > this.sampleLimit) {
      const last = this.groupKeys.length - 1;
      const victim = prng.int(last + 1);
      this.rows.copyWithin(victim * RAW_DIMS, last * RAW_DIMS, (last + 1) * RAW_DIMS);
      this.groupKeys[victim] = this.groupKeys[last] as string;
      this.rootKeys[victim] = this.rootKeys[last] as string;
      this.groupKeys.pop();
      this.rootKeys.pop();
    }
  }

  get sampleCount(): number {
    return this.groupKeys.length;
  }

  add(f: TraceFeatures, raw: Float64Array, prng: Prng, sample: boolean): void {
    this.observed++;
    this.addDurations(f, prng);
    for (const e of f.edges) if (this.edges.size < this.limits.edges || this.edges.has(e)) this.edges.add(e);
    if (!sample) return;
    // Reservoir sampling (algorithm R) keeps a uniform sample of the bucket's sampled traces.
    this.sampled++;
    let slot = this.groupKeys.length;
    if (slot >= this.sampleLimit) {
      slot = prng.int(this.sampled);
      if (slot >= this.sampleLimit) return;
    } else {
      this.ensureCapacity(slot + 1);
    }
    this.rows.set(raw, slot * RAW_DIMS);
    this.groupKeys[slot] = f.group_key;
    this.rootKeys[slot] = rootKeyOf(f);
  }

  private addDurations(f: TraceFeatures, prng: Prng): void {
    let g = this.groups.get(f.group_key);
    if (g === undefined) {
      if (this.groups.size >= this.limits.groups) {
        this.groupsDropped++;
        return;
      }
      const k = this.limits.durationsPerGroup;
      g = { total: new Float64Array(k), maxSpan: new Float64Array(k), root: rootKeyOf(f), seen: 0 };
      this.groups.set(f.group_key, g);
    }
    g.seen++;
    let slot = g.seen - 1;
    if (slot >= g.total.length) {
      slot = prng.int(g.seen);
      if (slot >= g.total.length) return;
    }
    g.total[slot] = f.total_duration;
    g.maxSpan[slot] = f.max_span_duration;
  }

  private ensureCapacity(rowsNeeded: number): void {
    if (rowsNeeded * RAW_DIMS <= this.rows.length) return;
    const grown = new Float64Array(
      Math.min(this.limits.samples, Math.max(rowsNeeded, (this.rows.length / RAW_DIMS) * 2)) * RAW_DIMS,
    );
    grown.set(this.rows);
    this.rows = grown;
  }

  copySamples(
    out: Float64Array,
    at: number,
    groups: { push(k: string): void },
    roots: { push(k: string): void },
  ): void {
    out.set(this.rows.subarray(0, this.sampleCount * RAW_DIMS), at);
    for (let i = 0; i < this.sampleCount; i++) {
      groups.push(this.groupKeys[i] as string);
      roots.push(this.rootKeys[i] as string);
    }
  }

  copyDurations(out: Map<string, { total: number[]; maxSpan: number[] }>, rootOf: Map<string, string>): void {
    for (const [key, g] of this.groups) {
      let d = out.get(key);
      if (d === undefined) out.set(key, (d = { total: [], maxSpan: [] }));
      const n = Math.min(g.seen, g.total.length);
      for (let i = 0; i < n; i++) {
        d.total.push(g.total[i] as number);
        d.maxSpan.push(g.maxSpan[i] as number);
      }
      rootOf.set(key, g.root);
    }
  }
}
