/**
 * Ground truth the simulator writes beside its spans: one label per trace, saying what (if
 * anything) was injected into it. The evaluation joins these with the detector's alerts.
 */

/** Every label a simulated trace can carry. The first four map to alert types (or to none). */
export type TraceLabelKind =
  "normal" | "latency_spike" | "unusual_path" | "cascade_failure" | "near_miss_slow" | "near_miss_errors";

export const TRACE_LABEL_KINDS: readonly TraceLabelKind[] = [
  "normal",
  "latency_spike",
  "unusual_path",
  "cascade_failure",
  "near_miss_slow",
  "near_miss_errors",
];

/** The alert type a label expects the detector to raise, or null when it must stay silent. */
export function expectedAlertType(
  label: TraceLabelKind,
): "latency_spike" | "unusual_path" | "cascade_failure" | null {
  switch (label) {
    case "latency_spike":
    case "unusual_path":
    case "cascade_failure":
      return label;
    default:
      return null;
  }
}

/** The two shapes of injected latency. */
export type LatencyShape = "network_delay" | "cpu_contention";

/** The two shapes of error near-miss (see docs/simulate.md). */
export type NearMissErrorVariant = "four_services_five_errors" | "three_services_retry_storm";

/** What was injected into one trace; the fields depend on the label. */
export type Injection =
  | { readonly kind: "none" }
  | {
      readonly kind: "latency_spike";
      readonly shape: LatencyShape;
      /** The slowed service. */
      readonly service: string;
      /** network_delay: constant delay added to every call into the service (ms). */
      readonly addedDelayMs?: number;
      /** cpu_contention: median multiplicative slowdown of the service's own work. */
      readonly slowdownMedian?: number;
      /** cpu_contention: median run-queue wait added per call into the service (ms). */
      readonly queueWaitMedianMs?: number;
      readonly windowStartMs: number;
      readonly windowEndMs: number;
    }
  | {
      readonly kind: "unusual_path";
      readonly caller: string;
      readonly callee: string;
      /** Event time (ms) of the canary deploy that added the edge. */
      readonly deployAtMs: number;
      /** Event time (ms) at which the canary was rolled back. */
      readonly rollbackAtMs: number;
    }
  | {
      readonly kind: "cascade_failure";
      /** The service whose failure started the cascade. */
      readonly origin: string;
      readonly windowStartMs: number;
      readonly windowEndMs: number;
    }
  | { readonly kind: "near_miss_slow"; readonly requestType: string }
  | {
      readonly kind: "near_miss_errors";
      readonly variant: NearMissErrorVariant;
      /** Error spans the trace carries by construction. */
      readonly errorCount: number;
      /** Distinct services with an error span, by construction. */
      readonly affectedServices: number;
      readonly windowStartMs: number;
      readonly windowEndMs: number;
    };

/** One line of the labels side file. */
export interface TraceLabel {
  /** 32 lowercase hex characters. */
  readonly traceId: string;
  readonly label: TraceLabelKind;
  /** What was injected (without its `kind`, which equals `label` or is "none"). */
  readonly injected: Readonly<Record<string, unknown>>;
  /** Event time (Unix ms) at which the trace's root span started. */
  readonly startTimeMs: number;
  /** The simulated request type, e.g. "browse_catalog" (evaluation may group by it). */
  readonly requestType: string;
}

/** Builds the label line for a trace. */
export function makeLabel(
  traceId: string,
  injection: Injection,
  startTimeMs: number,
  requestType: string,
): TraceLabel {
  const { kind, ...injected } = injection;
  const label: TraceLabelKind = kind === "none" ? "normal" : kind;
  return { traceId, label, injected, startTimeMs, requestType };
}

/** One NDJSON line (with the trailing newline). */
export function labelToNdjson(label: TraceLabel): string {
  return `${JSON.stringify(label)}\n`;
}

/** Parses a labels file's text; a malformed line is an error naming its line number. */
export function parseLabels(text: string): TraceLabel[] {
  const out: TraceLabel[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? "";
    if (line === "") continue;
    const value = JSON.parse(line) as Partial<TraceLabel>;
    if (
      typeof value.traceId !== "string" ||
      typeof value.label !== "string" ||
      !TRACE_LABEL_KINDS.includes(value.label) ||
      typeof value.startTimeMs !== "number"
    ) {
      throw new SyntaxError(`labels line ${i + 1}: not a trace label`);
    }
    out.push({
      traceId: value.traceId,
      label: value.label,
      injected: value.injected ?? {},
      startTimeMs: value.startTimeMs,
      requestType: typeof value.requestType === "string" ? value.requestType : "",
    });
  }
  return out;
}
