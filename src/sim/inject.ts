import type { NewEdge, Slowdown, TraceEffects } from "./effects.js";
import { normalEffects } from "./effects.js";
import type { Injection, NearMissErrorVariant } from "./labels.js";
import { deriveSeed, Prng } from "./prng.js";
import type { ActiveWindow } from "./schedule.js";

/** Services a network delay may hit, and services CPU contention may hit. */
export const NETWORK_DELAY_TARGETS = ["catalog", "pricing", "inventory", "cart", "user", "redis", "postgres"];
export const CPU_CONTENTION_TARGETS = ["catalog", "search", "payment", "pricing", "postgres"];

/** Cascade origins and the request types in which they sit at least three required hops deep. */
export const CASCADE_ORIGINS: ReadonlyArray<{ origin: string; requestTypes: readonly string[] }> = [
  { origin: "inventory", requestTypes: ["place_order"] },
  { origin: "payment", requestTypes: ["place_order"] },
  { origin: "postgres", requestTypes: ["place_order", "login"] },
];

/** Canary deploys, one per period in turn; later rounds use fresh service names. */
export const NEW_EDGES: readonly NewEdge[] = [
  { caller: "checkout", callee: "fraud-check", route: "/score", store: "redis" },
  { caller: "pricing", callee: "promotions", route: "/promotions/eligible", store: "postgres" },
  { caller: "search", callee: "personalization", route: "/rank", store: "redis" },
  { caller: "payment", callee: "audit", route: "/events", store: "postgres" },
];

/** Error near-miss shapes and the request type each is built on (see docs/simulate.md). */
export const NEAR_MISS_ERRORS: Readonly<
  Record<string, { variant: NearMissErrorVariant; errorCount: number; affectedServices: number }>
> = {
  browse_catalog: { variant: "four_services_five_errors", errorCount: 5, affectedServices: 4 },
  place_order: { variant: "three_services_retry_storm", errorCount: 9, affectedServices: 3 },
};

/** The canary edge of a given period: NEW_EDGES in turn, renamed `-v2`, `-v3`... once used. */
export function newEdgeForCycle(cycle: number): NewEdge {
  const base = NEW_EDGES[cycle % NEW_EDGES.length] ?? NEW_EDGES[0]!;
  const round = Math.floor(cycle / NEW_EDGES.length);
  return round === 0 ? base : { ...base, callee: `${base.callee}-v${round + 1}` };
}

/** What to inject into one trace and what its label will say. */
export interface Decision {
  readonly effects: TraceEffects;
  readonly injection: Injection;
}

function latencyDecision(slow: Slowdown, windowStartMs: number, windowEndMs: number): Decision {
  const shape =
    slow.shape === "network_delay"
      ? { addedDelayMs: slow.addedDelayMs }
      : { slowdownMedian: slow.slowdownMedian, queueWaitMedianMs: slow.queueWaitMedianMs };
  return {
    effects: { ...normalEffects(0, false), slowdown: slow },
    injection: {
      kind: "latency_spike",
      shape: slow.shape,
      service: slow.service,
      ...shape,
      windowStartMs,
      windowEndMs,
    },
  };
}

/** Per-occurrence parameters drawn from the seed, so every trace in a window agrees. */
interface WindowPlan {
  slowdown?: Slowdown;
  origin?: (typeof CASCADE_ORIGINS)[number];
}

/** Decides what (if anything) to inject into a trace; labels are finalised by the simulator. */
export class InjectionPlanner {
  private readonly plans = new Map<string, WindowPlan>();

  constructor(
    private readonly seed: number,
    private readonly startTimeMs: number,
  ) {}

  private plan(active: ActiveWindow): WindowPlan {
    const key = `${active.cycle}:${active.index}`;
    let plan = this.plans.get(key);
    if (plan !== undefined) return plan;
    const rng = new Prng(deriveSeed(this.seed, active.cycle, active.index));
    const kind = active.window.kind;
    if (kind === "latency_network") {
      const service = rng.pick(NETWORK_DELAY_TARGETS);
      const addedDelayMs = Math.round(rng.uniform(1000, 1600));
      plan = {
        slowdown: { service, shape: "network_delay", addedDelayMs, slowdownMedian: 1, queueWaitMedianMs: 0 },
      };
    } else if (kind === "latency_cpu") {
      const service = rng.pick(CPU_CONTENTION_TARGETS);
      plan = {
        slowdown: {
          service,
          shape: "cpu_contention",
          addedDelayMs: 0,
          slowdownMedian: 6,
          queueWaitMedianMs: 1500,
        },
      };
    } else if (kind === "cascade_failure") {
      plan = { origin: rng.pick(CASCADE_ORIGINS) };
    } else {
      plan = {};
    }
    this.plans.set(key, plan);
    return plan;
  }

  /**
   * Effects and the intended injection for one trace of `requestType` in `active` (or none).
   * `rng` is the trace's own stream; noise for normal traces is drawn from it too.
   */
  decide(active: ActiveWindow | null, requestType: string, rng: Prng): Decision {
    const inject = active !== null && rng.chance(active.window.fraction);
    if (!inject || active === null) return this.normal(rng);
    const clean = normalEffects(0, false);
    const windowStartMs = this.startTimeMs + active.startMs;
    const windowEndMs = this.startTimeMs + active.endMs;
    const plan = this.plan(active);
    switch (active.window.kind) {
      case "latency_network":
      case "latency_cpu":
        return plan.slowdown === undefined
          ? this.normal(rng)
          : latencyDecision(plan.slowdown, windowStartMs, windowEndMs);
      case "unusual_path": {
        const edge = newEdgeForCycle(active.cycle);
        const injection: Injection = {
          kind: "unusual_path",
          caller: edge.caller,
          callee: edge.callee,
          deployAtMs: windowStartMs,
          rollbackAtMs: windowEndMs,
        };
        return { effects: { ...clean, newEdge: edge }, injection };
      }
      case "cascade_failure": {
        const origin = plan.origin;
        if (origin === undefined || !origin.requestTypes.includes(requestType)) return this.normal(rng);
        return {
          effects: { ...clean, outage: origin.origin },
          injection: { kind: "cascade_failure", origin: origin.origin, windowStartMs, windowEndMs },
        };
      }
      case "near_miss_errors":
        return this.nearMiss(requestType, rng, windowStartMs, windowEndMs);
    }
  }

  private nearMiss(requestType: string, rng: Prng, windowStartMs: number, windowEndMs: number): Decision {
    const shape = NEAR_MISS_ERRORS[requestType];
    if (shape === undefined) return this.normal(rng);
    const effects = normalEffects(0, false);
    if (shape.variant === "four_services_five_errors") {
      effects.faults.push({
        service: "redis",
        caller: "recommendation",
        remaining: Number.POSITIVE_INFINITY,
        status: 503,
      });
      effects.faults.push({ service: "pricing", caller: "catalog", remaining: 1, status: 500 });
    } else {
      effects.faults.push({ service: "postgres", caller: "user", remaining: 3, status: 500 });
    }
    return { effects, injection: { kind: "near_miss_errors", ...shape, windowStartMs, windowEndMs } };
  }

  /** Normal traffic: 3% of traces may see one transient, retried failure; 404 noise allowed. */
  private normal(rng: Prng): Decision {
    return { effects: normalEffects(rng.chance(0.03) ? 1 : 0, true), injection: { kind: "none" } };
  }
}
