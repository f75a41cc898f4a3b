import type { TraceFeatures } from "../../domain/features.js";
import { TracewatchError } from "../../errors.js";
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelArtifact } from "./artifact.js";
import { baselineFor, type Baselines, type GroupStats } from "./baselines.js";
import { calibrate } from "./calibration.js";
import { ForestScorer } from "./forest-scorer.js";
import { RAW_DIMS, planColumns, writeColumns, writeRaw, type ColumnPlan } from "./transforms.js";
import { rootKeyOf } from "./window-bucket.js";

/** The model's verdict on one trace. */
export interface ModelScore {
  /** Isolation score 2^(−E[h]/c(ψ)). */
  readonly raw: number;
  /** Calibrated to [0, 1] against the training window. */
  readonly anomalyScore: number;
  /** Baseline the trace was compared with (its group, root group or global). */
  readonly baseline: GroupStats;
  readonly newEdges: readonly string[];
}

const NONE: readonly string[] = Object.freeze([]);

/** A loaded, immutable model: scores traces. Build with {@link loadModel}. */
export class Model {
  readonly version: string;
  private readonly baselines: Baselines;
  private readonly knownEdges: ReadonlySet<string>;
  private readonly raw = new Float64Array(RAW_DIMS);
  private readonly x: Float64Array;
  private readonly forest: ForestScorer;
  private readonly plan: ColumnPlan;

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
  }

  score(f: TraceFeatures): ModelScore {
    // The group's own baseline in the common case; the root key string is built only for fallbacks.
    const own = this.baselines.groups.get(f.group_key);
    const baseline =
      own !== undefined && own.count >= this.baselines.minGroupSamples
        ? own
        : baselineFor(this.baselines, f.group_key, rootKeyOf(f));
    writeRaw(f, this.raw, 0);
    writeColumns(this.plan, this.raw, 0, baseline, this.x, 0);
    const raw = this.forest.score(this.x, 0);
    return {
      raw,
      anomalyScore: calibrate(this.artifact.calibration, raw),
      baseline,
      newEdges: this.newEdges(f.edges),
    };
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
