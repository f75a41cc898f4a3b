import {
  SEED_FEATURES,
  type CallScores,
  type SpanScores,
  type TraceFeatures,
} from "../../domain/features.js";
import { CallBaselines } from "./call-baselines.js";
import { OperationMemo, type SpanProfile } from "../features/span-profile.js";
import { scoreSpans, type OperationStats } from "./op-baselines.js";
import type { LiveShare } from "./live-share.js";
import type { SlowShare } from "./slow-share.js";
import { TracewatchError } from "../../errors.js";
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelArtifact } from "./artifact.js";
import { baselineFor, type Baselines, type GroupStats } from "./baselines.js";
import { calibrate } from "./calibration.js";
import { ForestScorer } from "./forest-scorer.js";
import { RAW_DIMS, RAW_INDEX, planColumns, writeColumns, writeRaw, type ColumnPlan } from "./transforms.js";
import { rootKeyOf } from "./window-bucket.js";

/** The model's verdict on one trace. */
export interface ModelScore {
  /** Isolation score 2^(−E[h]/c(ψ)). */
  readonly raw: number;
  /** Calibrated to [0, 1] against the training window. */
  readonly anomalyScore: number;
  /** Baseline the trace was compared with (its group, root group or global). */
  readonly baseline: GroupStats;
  /**
   * p99 of the trace's request type: the type's robust, shrunk p99 when the model has operation
   * baselines (an unseen type: the sum of the p99s of the operations its root calls directly),
   * else the group baseline's p99.
   */
  readonly p99Baseline: number;
  readonly newEdges: readonly string[];
  /** The spans against their operations' baselines; null without a profile or operation baselines. */
  readonly spans: SpanScores | null;
  /**
   * Its calls against its type's usual calls and its spans' errors against their operations'
   * error rates; null without a profile or code-level baselines.
   */
  readonly calls: CallScores | null;
}

const NONE: readonly string[] = Object.freeze([]);

/**
 * What scoring counts a trace in and judges it against, at event time `atMs` (its end): its
 * spans' operations' live shares of slow spans, and its usual calls' live absence shares.
 */
export interface LiveState {
  readonly share: SlowShare;
  readonly atMs: number;
  readonly calls?: LiveShare;
}

/** A loaded, immutable model: scores traces. Build with {@link loadModel}. */
export class Model {
  readonly version: string;
  private readonly baselines: Baselines;
  private readonly knownEdges: ReadonlySet<string>;
  private readonly raw = new Float64Array(RAW_DIMS);
  private readonly x: Float64Array;
  private readonly forest: ForestScorer;
  private readonly plan: ColumnPlan;
  private readonly operations: ReadonlyMap<string, OperationStats> | null;
  /** The operation baselines remembered by operation id (see OperationMemo). */
  private readonly byOperation: OperationMemo<OperationStats | undefined> | null;
  private readonly typeP99: ReadonlyMap<string, number>;
  private readonly calls: CallBaselines | null;
  /** Whether the forest reads span-level columns (then the window must store them). */
  readonly usesSpanFeatures: boolean;

  constructor(readonly artifact: ModelArtifact) {
    this.version = artifact.version;
    const b = artifact.baselines;
    this.baselines = {
      minGroupSamples: b.minGroupSamples,
      global: b.global,
      groups: new Map(b.groups),
      roots: new Map(b.roots),
    };
    this.knownEdges = new Set(artifact.knownEdges);
    this.x = new Float64Array(artifact.columns.length);
    this.forest = new ForestScorer(artifact.forest);
    this.plan = planColumns(artifact.columns);
    const ops = artifact.operations;
    this.operations = ops === undefined ? null : new Map(ops.operations);
    const byKey = this.operations;
    this.byOperation = byKey === null ? null : new OperationMemo((key) => byKey.get(key));
    this.typeP99 = new Map((ops?.types ?? []).map(([k, t]) => [k, t.p99]));
    this.calls = ops?.calls === undefined ? null : new CallBaselines(ops.calls);
    this.usesSpanFeatures = artifact.columns.some((c) => RAW_INDEX[c.feature] >= SEED_FEATURES.length);
  }

  /** Scores a trace; with its span profile (and operation baselines) its spans are scored too. */
  score(f: TraceFeatures, profile?: SpanProfile, live?: LiveState): ModelScore {
    // The group's own baseline in the common case; the root key string is built only for fallbacks.
    const own = this.baselines.groups.get(f.group_key);
    const baseline =
      own !== undefined && own.count >= this.baselines.minGroupSamples
        ? own
        : baselineFor(this.baselines, f.group_key, rootKeyOf(f));
    const spans =
      this.byOperation === null || profile === undefined
        ? null
        : scoreSpans(profile, this.byOperation, live === undefined ? {} : { live });
    writeRaw(f, this.raw, 0);
    if (spans !== null) {
      this.raw[RAW_INDEX.max_span_excess] = spans.max_span_excess;
      this.raw[RAW_INDEX.critical_path_excess_ms] = spans.critical_path_excess_ms;
      this.raw[RAW_INDEX.spans_over_p99] = spans.spans_over_p99;
    }
    writeColumns(this.plan, this.raw, 0, baseline, this.x, 0);
    const raw = this.forest.score(this.x, 0);
    const p99Baseline = this.typeP99.get(f.group_key) ?? this.priorP99(profile) ?? baseline.p99;
    const calls =
      this.calls === null || profile === undefined
        ? null
        : this.calls.score(
            f.group_key,
            profile,
            live?.calls === undefined
              ? undefined
              : { share: live.calls, atMs: live.atMs, slow: f.total_duration > p99Baseline },
          );
    return {
      raw,
      anomalyScore: calibrate(this.artifact.calibration, raw),
      baseline,
      p99Baseline,
      newEdges: this.newEdges(f.edges),
      spans,
      calls,
    };
  }

  /** A type the model never saw: the sum of the p99s of its entry operations (see robustTypeP99). */
  private priorP99(p: SpanProfile | undefined): number | undefined {
    const ops = this.operations;
    if (ops === null || p === undefined || p.root < 0) return undefined;
    const rootService = p.service[p.root];
    const seen = new Set<string>();
    let sum = 0;
    for (let i = 0; i < p.n; i++) {
      const parent = p.parent[i] as number;
      if (p.skip[i] === 1 || parent < 0 || p.service[i] === rootService || p.service[parent] !== rootService)
        continue;
      const key = p.op[i] as string;
      const s = ops.get(key);
      if (s === undefined || seen.has(key)) continue;
      seen.add(key);
      sum += s.p99;
    }
    if (seen.size > 0) return sum;
    const r = ops.get(p.op[p.root] as string);
    return r === undefined ? undefined : r.p99;
  }

  private newEdges(edges: readonly string[]): readonly string[] {
    let out: string[] | undefined;
    for (const e of edges) if (!this.knownEdges.has(e)) (out ??= []).push(e);
    return out ?? NONE;
  }
}

/** Validates an artifact's shape and builds the model; throws TW_MODEL_INVALID naming the problem. */
export function loadModel(a: ModelArtifact): Model {
  const fail = (why: string): never => {
    throw new TracewatchError("TW_MODEL_INVALID", `model ${String(a?.version)}: ${why}`);
  };
  if (a?.format !== MODEL_FORMAT) fail(`format is not ${MODEL_FORMAT}`);
  if (a.formatVersion !== MODEL_FORMAT_VERSION)
    fail(`format version ${a.formatVersion} is not ${MODEL_FORMAT_VERSION}`);
  const f = a.forest;
  const nodes = f.feature.length;
  if (f.left.length !== nodes || f.value.length !== nodes || f.roots.length === 0)
    fail("forest arrays disagree");
  if (f.dims !== a.columns.length) fail(`forest has ${f.dims} dims, ${a.columns.length} columns`);
  for (let i = 0; i < nodes; i++) {
    const feat = f.feature[i] as number;
    const l = f.left[i] as number;
    if (feat >= f.dims || (feat >= 0 && (l <= i || l + 1 >= nodes))) fail(`node ${i} is malformed`);
  }
  for (const r of f.roots) if (r < 0 || r >= nodes) fail("tree root out of range");
  if (a.calibration.quantiles.length < 2) fail("calibration table is empty");
  return new Model(a);
}
