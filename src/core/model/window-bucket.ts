import type { TraceFeatures } from "../../domain/features.js";
import type { Prng } from "./prng.js";
import { RAW_DIMS } from "./transforms.js";

/** Per-bucket capacities of the rolling window. */
export interface BucketLimits {
  /** Initial sample capacity; the window lowers it with {@link Bucket.limitSamples}. */
  readonly samples: number;
  readonly groups: number;
  /** Durations kept per group for traces that were not flagged. */
  readonly durationsPerGroup: number;
  readonly edges: number;
}

/**
 * What the detector said about a trace when it was observed: no model yet, scored below the
 * threshold, or flagged (scored at or above it).
 */
export type TraceFlag = "unscored" | "normal" | "flagged";

interface GroupReservoir {
  /** Durations of traces not flagged (reservoir of durationsPerGroup). */
  readonly total: Float64Array;
  readonly maxSpan: Float64Array;
  /** Durations of flagged traces (reservoir of a quarter as many). */
  readonly flaggedTotal: Float64Array;
  readonly flaggedMaxSpan: Float64Array;
  readonly root: string;
  seen: number;
  seenFlagged: number;
}

/** Key under which types beyond a bucket's group limit are counted together. */
export const OTHER_TYPES = "\u0000other";
/** Request types remembered per edge carried only by flagged traces. */
const MAX_EDGE_TYPES = 8;
const NONE: ReadonlySet<string> = new Set();

/** Root key of a trace: what the baseline falls back to when its group is too small. */
export function rootKeyOf(f: TraceFeatures): string {
  return `${f.root_service} ${f.root_operation}`;
}

/**
 * One time slice of the rolling window: reservoirs of samples and of per-group durations, and the
 * edges seen. Flagged traces are stored too, marked, so that a training run can learn them as the
 * normal tail they usually are, or leave them out when the bucket holds clearly more of them than
 * that (an incident). Per group, flagged durations have their own reservoir, so that they never
 * take the place of unflagged ones.
 */
export class Bucket {
  rows: Float64Array;
  /** Per sample: 1 when the trace was flagged. */
  rowFlagged: Uint8Array;
  readonly groupKeys: string[] = [];
  readonly rootKeys: string[] = [];
  readonly groups = new Map<string, GroupReservoir>();
  /**
   * Edge → true when a trace that was not flagged carried it, else the request types (group keys)
   * of the flagged traces that did: such an edge is learned only with a type whose flagged traces
   * are learned.
   */
  readonly edges = new Map<string, true | Set<string>>();
  /** Scored and flagged traces per request type (group_key), for the hold-back judgment. */
  readonly typeFlags = new Map<string, { scored: number; flagged: number }>();
  observed = 0;
  /** Traces observed with a score / flagged. */
  scored = 0;
  flagged = 0;
  groupsDropped = 0;
  private sampled = 0;
  private sampleLimit: number;

  constructor(
    readonly startMs: number,
    private readonly limits: BucketLimits,
  ) {
    this.sampleLimit = limits.samples;
    const initial = Math.min(limits.samples, 1024);
    this.rows = new Float64Array(initial * RAW_DIMS);
    this.rowFlagged = new Uint8Array(initial);
  }

  /** Sets the sample capacity, evicting uniformly random samples when above it. */
  limitSamples(limit: number, prng: Prng): void {
    this.sampleLimit = Math.max(1, limit);
    while (this.groupKeys.length > this.sampleLimit) {
      const last = this.groupKeys.length - 1;
      const victim = prng.int(last + 1);
      this.rows.copyWithin(victim * RAW_DIMS, last * RAW_DIMS, (last + 1) * RAW_DIMS);
      this.rowFlagged[victim] = this.rowFlagged[last] as number;
      this.groupKeys[victim] = this.groupKeys[last] as string;
      this.rootKeys[victim] = this.rootKeys[last] as string;
      this.groupKeys.pop();
      this.rootKeys.pop();
    }
  }

  get sampleCount(): number {
    return this.groupKeys.length;
  }

  add(f: TraceFeatures, raw: Float64Array, flag: TraceFlag, prng: Prng, sample: boolean): void {
    this.observed++;
    const flagged = flag === "flagged";
    if (flag !== "unscored") {
      this.scored++;
      this.countType(f.group_key, flagged);
    }
    if (flagged) this.flagged++;
    this.addDurations(f, flagged, prng);
    for (const e of f.edges) this.addEdge(e, flagged ? this.typeKey(f.group_key) : null);
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
    this.rowFlagged[slot] = flagged ? 1 : 0;
    this.groupKeys[slot] = f.group_key;
    this.rootKeys[slot] = rootKeyOf(f);
  }

  /** Flagged traces of the types in `heldBack`. */
  flaggedOf(heldBack: ReadonlySet<string>): number {
    let n = 0;
    for (const t of heldBack) n += this.typeFlags.get(t)?.flagged ?? 0;
    return n;
  }

  /** Samples a training run copies: all but the flagged ones of the types in `heldBack`. */
  countSamples(heldBack: ReadonlySet<string>): number {
    if (heldBack.size === 0) return this.sampleCount;
    let n = 0;
    for (let i = 0; i < this.sampleCount; i++) n += this.keeps(i, heldBack) ? 1 : 0;
    return n;
  }

  private keeps(i: number, heldBack: ReadonlySet<string>): boolean {
    return this.rowFlagged[i] !== 1 || !heldBack.has(this.typeKey(this.groupKeys[i] as string));
  }

  /** The key a type's flags are counted under (OTHER_TYPES beyond the group limit). */
  private typeKey(type: string): string {
    return this.typeFlags.has(type) ? type : OTHER_TYPES;
  }

  private countType(type: string, flagged: boolean): void {
    let c = this.typeFlags.get(type);
    if (c === undefined) {
      // Beyond the group limit, types are judged together under one key.
      const key = this.typeFlags.size < this.limits.groups ? type : OTHER_TYPES;
      c = this.typeFlags.get(key);
      if (c === undefined) this.typeFlags.set(key, (c = { scored: 0, flagged: 0 }));
    }
    c.scored++;
    if (flagged) c.flagged++;
  }

  /** Records an edge; `flaggedType` is the carrier's type when it was flagged, else null. */
  private addEdge(e: string, flaggedType: string | null): void {
    const seen = this.edges.get(e);
    if (seen === true) return;
    if (flaggedType === null) {
      if (seen !== undefined || this.edges.size < this.limits.edges) this.edges.set(e, true);
      return;
    }
    if (seen === undefined) {
      if (this.edges.size < this.limits.edges) this.edges.set(e, new Set([flaggedType]));
    } else if (seen.size < MAX_EDGE_TYPES) seen.add(flaggedType);
  }

  private addDurations(f: TraceFeatures, flagged: boolean, prng: Prng): void {
    let g = this.groups.get(f.group_key);
    if (g === undefined) {
      if (this.groups.size >= this.limits.groups) {
        this.groupsDropped++;
        return;
      }
      const k = this.limits.durationsPerGroup;
      const kf = Math.max(1, Math.ceil(k / 4));
      g = {
        total: new Float64Array(k),
        maxSpan: new Float64Array(k),
        flaggedTotal: new Float64Array(kf),
        flaggedMaxSpan: new Float64Array(kf),
        root: rootKeyOf(f),
        seen: 0,
        seenFlagged: 0,
      };
      this.groups.set(f.group_key, g);
    }
    const [total, maxSpan, seen] = flagged
      ? [g.flaggedTotal, g.flaggedMaxSpan, ++g.seenFlagged]
      : [g.total, g.maxSpan, ++g.seen];
    let slot = seen - 1;
    if (slot >= total.length) {
      slot = prng.int(seen);
      if (slot >= total.length) return;
    }
    total[slot] = f.total_duration;
    maxSpan[slot] = f.max_span_duration;
  }

  private ensureCapacity(rowsNeeded: number): void {
    if (rowsNeeded * RAW_DIMS <= this.rows.length) return;
    const n = Math.min(this.limits.samples, Math.max(rowsNeeded, (this.rows.length / RAW_DIMS) * 2));
    const grown = new Float64Array(n * RAW_DIMS);
    grown.set(this.rows);
    this.rows = grown;
    const flags = new Uint8Array(n);
    flags.set(this.rowFlagged);
    this.rowFlagged = flags;
  }

  /** Copies the samples (but the flagged ones of the types in `heldBack`) to `out` from row `at`. */
  copySamples(
    out: Float64Array,
    at: number,
    groups: { push(k: string): void },
    roots: { push(k: string): void },
    heldBack: ReadonlySet<string> = NONE,
  ): void {
    let n = 0;
    for (let i = 0; i < this.sampleCount; i++) {
      if (!this.keeps(i, heldBack)) continue;
      out.set(this.rows.subarray(i * RAW_DIMS, (i + 1) * RAW_DIMS), (at + n) * RAW_DIMS);
      groups.push(this.groupKeys[i] as string);
      roots.push(this.rootKeys[i] as string);
      n++;
    }
  }

  /**
   * Appends each group's durations. Unless the group is in `heldBack`, flagged durations join in
   * proportion to the group's flagged share of traffic (rounded at random, so unbiased over
   * buckets), so the sample stays representative of all the group's traces.
   */
  copyDurations(
    out: Map<string, { total: number[]; maxSpan: number[] }>,
    rootOf: Map<string, string>,
    heldBack: ReadonlySet<string>,
    prng: Prng,
  ): void {
    for (const [key, g] of this.groups) {
      let d = out.get(key);
      if (d === undefined) out.set(key, (d = { total: [], maxSpan: [] }));
      const n = Math.min(g.seen, g.total.length);
      for (let i = 0; i < n; i++) {
        d.total.push(g.total[i] as number);
        d.maxSpan.push(g.maxSpan[i] as number);
      }
      rootOf.set(key, g.root);
      if (heldBack.has(this.typeKey(key)) || g.seenFlagged === 0) continue;
      const kept = Math.min(g.seenFlagged, g.flaggedTotal.length);
      const want = g.seen === 0 ? kept : (n * g.seenFlagged) / g.seen;
      const m = Math.min(kept, Math.floor(want + prng.next()));
      for (let i = 0; i < m; i++) {
        d.total.push(g.flaggedTotal[i] as number);
        d.maxSpan.push(g.flaggedMaxSpan[i] as number);
      }
    }
  }

  /**
   * Adds the edges seen: those an unflagged trace carried, and those a flagged trace of a type
   * not in `heldBack` carried.
   */
  copyEdges(out: Set<string>, heldBack: ReadonlySet<string>): void {
    for (const [e, seen] of this.edges) {
      if (seen === true || heldBack.size === 0) out.add(e);
      else for (const t of seen) if (!heldBack.has(t)) out.add(e);
    }
  }
}
