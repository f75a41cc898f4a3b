import type { TraceLabel } from "./labels.js";

/**
 * One human line for the first trace of each injected anomaly occurrence, so a demo can say on
 * screen what was injected. Returns null for labels that announce nothing new.
 */
export class InjectionAnnouncer {
  private readonly seen = new Set<string>();

  constructor(private readonly startTimeMs: number) {}

  announce(label: TraceLabel): string | null {
    const i = label.injected;
    const windowStart = (i.windowStartMs ?? i.deployAtMs) as number | undefined;
    if (windowStart === undefined) return null;
    const key = `${label.label}:${windowStart}:${String(i.variant ?? "")}`;
    if (this.seen.has(key)) return null;
    this.seen.add(key);
    const windowEnd = (i.windowEndMs ?? i.rollbackAtMs) as number;
    const at = (ms: number): string => `+${((ms - this.startTimeMs) / 1000).toFixed(0)}s`;
    return `[${at(windowStart)}..${at(windowEnd)}] ${describeInjection(label)}`;
  }
}

/** What was injected into a labelled trace, in words. */
export function describeInjection(label: TraceLabel): string {
  const i = label.injected;
  switch (label.label) {
    case "latency_spike":
      return i.shape === "network_delay"
        ? `latency_spike: network delay of ${String(i.addedDelayMs)} ms on every call into ${String(i.service)}`
        : `latency_spike: CPU contention on ${String(i.service)} (own work x${String(i.slowdownMedian)}, run-queue wait ~${String(i.queueWaitMedianMs)} ms)`;
    case "unusual_path":
      return `unusual_path: a canary deploy adds the call ${String(i.caller)} -> ${String(i.callee)}`;
    case "cascade_failure":
      return `cascade_failure: ${String(i.origin)} fails and the errors propagate up to the gateway`;
    case "near_miss_errors":
      return `near-miss, must not alert: ${String(i.variant)} (${String(i.errorCount)} error spans in ${String(i.affectedServices)} services)`;
    case "near_miss_slow":
      return `near-miss, must not alert: ${String(i.requestType)} always takes about 2 s`;
    case "normal":
      return "normal";
  }
}
