import { makeLabel, type Injection, type TraceLabel } from "../../../src/sim/labels.js";

/** One injection of each kind, with fixed targets and windows starting at 0. */
export const SAMPLE_INJECTIONS: Readonly<Record<Injection["kind"], Injection>> = {
  none: { kind: "none" },
  latency_spike: {
    kind: "latency_spike",
    shape: "network_delay",
    service: "pricing",
    addedDelayMs: 1000,
    windowStartMs: 0,
    windowEndMs: 1,
  },
  unusual_path: {
    kind: "unusual_path",
    caller: "checkout",
    callee: "fraud-check",
    deployAtMs: 0,
    rollbackAtMs: 1,
  },
  cascade_failure: { kind: "cascade_failure", origin: "payment", windowStartMs: 0, windowEndMs: 1 },
  near_miss_slow: { kind: "near_miss_slow", requestType: "report_export" },
  near_miss_errors: {
    kind: "near_miss_errors",
    variant: "four_services_five_errors",
    errorCount: 5,
    affectedServices: 4,
    windowStartMs: 0,
    windowEndMs: 1,
  },
};

/** The label of a browse_catalog trace `traceId` started at 0 carrying the sample injection of `kind`. */
export const sampleLabel = (traceId: string, kind: Injection["kind"]): TraceLabel =>
  makeLabel(traceId, SAMPLE_INJECTIONS[kind], 0, "browse_catalog");
