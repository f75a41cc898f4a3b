import type { ScoredTrace } from "../../domain/features.js";
import type { Span } from "../../domain/span.js";
import { compileCondition, type CompiledCondition } from "../rules/compiler.js";

/** What a policy does with the traces its condition matches (the seed's SamplingStrategy types). */
export type PolicyType = "always_on" | "always_off" | "probabilistic";

/** One sampling rule: `condition` in the condition language (span fields allowed). */
export interface SamplingPolicy {
  readonly name: string;
  readonly condition: string;
  readonly type: PolicyType;
  /** Share kept of the matching traces, 0 to 1 (probabilistic only). */
  readonly rate?: number;
}

/** The `spec` of a SamplingStrategy document, as the sampler needs it. */
export interface SamplingSpec {
  readonly default: { readonly type: PolicyType; readonly rate: number };
  readonly rules: readonly SamplingPolicy[];
  /** Traces kept by policy aimed at per minute (`target_rate`) and never exceeded, when enabled. */
  readonly adaptive: {
    readonly enabled: boolean;
    readonly target_rate: number;
    readonly min_rate: number;
    readonly max_rate: number;
  };
  /** Normal traces kept per request type (group_key) per interval, for comparison. */
  readonly normal_sample: {
    readonly per_request_type: number;
    /** ms */
    readonly interval: number;
    readonly max_request_types: number;
  };
}

/**
 * Why a trace is kept: it raised an alert, a rule of that name kept it, the default rate, or it is
 * a normal trace of its request type kept for comparison.
 */
export type KeepReason = "alert" | "default" | "normal" | `policy:${string}`;

/** One trace's sampling decision; `dropped` says what stopped a trace a policy would have kept. */
export type SamplingDecision =
  | { readonly keep: true; readonly reason: KeepReason }
  | { readonly keep: false; readonly by: "rule" | "rate" | "rate_limit"; readonly rule?: string };

/** Decision counts since start, by outcome. */
export interface SamplingStats {
  readonly kept: Readonly<Record<"alert" | "policy" | "default" | "normal", number>>;
  readonly dropped: Readonly<Record<"rule" | "rate" | "rate_limit", number>>;
  /** The default rate in use (adaptive, else the configured one). */
  readonly defaultRate: number;
}

interface Compiled {
  readonly policy: SamplingPolicy;
  readonly condition: CompiledCondition;
  /** The reason a keep by this policy gives. */
  readonly reason: KeepReason;
}

const DROPS = {
  rule: Object.freeze({ keep: false, by: "rule" }),
  rate: Object.freeze({ keep: false, by: "rate" }),
  rate_limit: Object.freeze({ keep: false, by: "rate_limit" }),
} as const satisfies Record<string, SamplingDecision>;

const MINUTE_MS = 60_000;

/**
 * Anomaly-aware tail sampling: decides per completed trace whether to keep it (docs/sampling.md).
 * An alerted trace is always kept. Otherwise an `always_off` rule that matches drops it; then the
 * first other rule that matches decides (always, or at its rate); a trace no rule matched is kept
 * at the default rate; a normal trace not kept yet may be kept as its request type's comparison
 * sample. With `adaptive` on, the default rate follows `target_rate` over the previous minute's
 * traffic (within min_rate..max_rate) and policy keeps beyond `target_rate` per minute are
 * dropped. Rates are applied to a hash of the trace id, so every instance and every re-delivery
 * decides alike. Pure: time comes from the caller.
 */
export class TailSampler {
  private readonly off: Compiled[];
  private readonly on: Compiled[];
  private readonly spec: SamplingSpec;
  private readonly threshold: number;
  private defaultRate: number;
  private minuteStartMs = Number.NEGATIVE_INFINITY;
  private seenThisMinute = 0;
  private keptThisMinute = 0;
  private normalStartMs = Number.NEGATIVE_INFINITY;
  private readonly normalCounts = new Map<string, number>();
  private readonly kept = { alert: 0, policy: 0, default: 0, normal: 0 };
  private readonly dropped = { rule: 0, rate: 0, rate_limit: 0 };
  /** One decision object per outcome (a few: by reason and rule name), shared by every trace. */
  private readonly keeps = new Map<KeepReason, SamplingDecision>();
  private readonly drops = {
    rule: new Map(),
    rate: new Map(),
    rate_limit: new Map(),
  } as const satisfies Record<string, Map<string, SamplingDecision>>;

  /** Compiles every rule; throws TW_CONDITION_INVALID naming the rule when one does not compile. */
  constructor(spec: SamplingSpec, ctx: { readonly threshold: number }) {
    this.spec = spec;
    this.threshold = ctx.threshold;
    const compiled = spec.rules.map((policy) => ({
      policy,
      condition: compileCondition(policy.name, policy.condition, ctx, "sampling rule"),
      reason: `policy:${policy.name}` as const,
    }));
    this.off = compiled.filter((c) => c.policy.type === "always_off");
    this.on = compiled.filter((c) => c.policy.type !== "always_off");
    const d = spec.default;
    this.defaultRate = d.type === "probabilistic" ? d.rate : d.type === "always_on" ? 1 : 0;
  }

  /** Decides for one trace; `alerted` when it raised an alert. */
  decide(scored: ScoredTrace, spans: readonly Span[], alerted: boolean, nowMs: number): SamplingDecision {
    this.roll(nowMs);
    this.seenThisMinute++;
    if (alerted) return this.keep("alert", "alert");
    for (const c of this.off) {
      if (c.condition.evaluate(scored, spans) === true) return this.drop("rule", c.policy.name);
    }
    const draw = traceDraw(scored.features.traceId);
    let decision: SamplingDecision | null = null;
    for (const c of this.on) {
      if (c.condition.evaluate(scored, spans) !== true) continue;
      const rate = c.policy.type === "always_on" ? 1 : (c.policy.rate ?? 0);
      decision = draw < rate ? this.limited(c.reason) : this.drop("rate", c.policy.name);
      break;
    }
    decision ??= draw < this.defaultRate ? this.limited("default") : this.drop("rate");
    if (decision.keep || !this.isNormal(scored)) return decision;
    return this.normalSample(scored.features.group_key) ? this.keep("normal", "normal") : decision;
  }

  stats(): SamplingStats {
    return { kept: { ...this.kept }, dropped: { ...this.dropped }, defaultRate: this.defaultRate };
  }

  private isNormal(scored: ScoredTrace): boolean {
    // Unscored while warming up: an error-free trace counts as normal then.
    const score = scored.anomaly_score;
    return (score === null || score < this.threshold) && scored.features.error_count === 0;
  }

  /** A policy keep, subject to the adaptive rate limit. */
  private limited(reason: KeepReason): SamplingDecision {
    const a = this.spec.adaptive;
    if (a.enabled && this.keptThisMinute >= a.target_rate) return this.drop("rate_limit");
    this.keptThisMinute++;
    return this.keep(reason, reason === "default" ? "default" : "policy");
  }

  private normalSample(groupKey: string): boolean {
    const n = this.spec.normal_sample;
    const count = this.normalCounts.get(groupKey);
    if (count === undefined && this.normalCounts.size >= n.max_request_types) return false;
    if ((count ?? 0) >= n.per_request_type) return false;
    this.normalCounts.set(groupKey, (count ?? 0) + 1);
    return true;
  }

  private keep(reason: KeepReason, counter: keyof TailSampler["kept"]): SamplingDecision {
    this.kept[counter]++;
    let d = this.keeps.get(reason);
    if (d === undefined) this.keeps.set(reason, (d = Object.freeze({ keep: true, reason })));
    return d;
  }

  private drop(by: "rule" | "rate" | "rate_limit", rule?: string): SamplingDecision {
    this.dropped[by]++;
    if (rule === undefined) return DROPS[by];
    const byRule = this.drops[by];
    let d = byRule.get(rule);
    if (d === undefined) byRule.set(rule, (d = Object.freeze({ keep: false, by, rule })));
    return d;
  }

  /** Starts a new minute (adaptive rate) or normal-sample interval when due. */
  private roll(nowMs: number): void {
    if (nowMs - this.minuteStartMs >= MINUTE_MS) {
      const a = this.spec.adaptive;
      if (a.enabled && this.spec.default.type === "probabilistic" && Number.isFinite(this.minuteStartMs)) {
        const perMinute = (this.seenThisMinute * MINUTE_MS) / Math.max(MINUTE_MS, nowMs - this.minuteStartMs);
        const target = perMinute > 0 ? a.target_rate / perMinute : a.max_rate;
        this.defaultRate = Math.min(a.max_rate, Math.max(a.min_rate, target));
      }
      this.minuteStartMs = nowMs;
      this.seenThisMinute = 0;
      this.keptThisMinute = 0;
    }
    if (nowMs - this.normalStartMs >= this.spec.normal_sample.interval) {
      this.normalStartMs = nowMs;
      this.normalCounts.clear();
    }
  }
}

/** Value of each ASCII character as a lowercase hex digit, -1 when it is none. */
const HEX_DIGIT = new Int8Array(128).fill(-1);
for (let c = 0; c < 16; c++) HEX_DIGIT["0123456789abcdef".charCodeAt(c)] = c;

/** A uniform draw in [0, 1) from the trace id's first 52 bits (trace ids are random). */
export function traceDraw(traceId: string): number {
  // Thirteen lowercase hex digits (a decoded id) read in place: every partial value is exact. A
  // table, not comparisons: random digits would make the branches between 0-9 and a-f mispredict.
  let n = 0;
  for (let i = 0; i < 13; i++) {
    const c = traceId.charCodeAt(i);
    const digit = c < 128 ? (HEX_DIGIT[c] as number) : -1;
    if (digit < 0) return parsedDraw(traceId);
    n = n * 16 + digit;
  }
  return n / 2 ** 52;
}

/** {@link traceDraw} of any other id: the number its first 13 characters parse to in base 16. */
function parsedDraw(traceId: string): number {
  const n = Number.parseInt(traceId.slice(0, 13), 16);
  return Number.isFinite(n) ? n / 2 ** 52 : 0;
}
