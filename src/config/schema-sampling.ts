import { z } from "zod";
import { duration, name, positiveInt, unit } from "./primitives.js";

export const SAMPLING_API_VERSION = "tracing/v1";
export const SAMPLING_KIND = "SamplingStrategy";
/** The store's byte bound when the SamplingStrategy document does not set one: 64 MiB. */
export const DEFAULT_KEPT_BYTES = 64 * 1024 * 1024;

const policyType = z
  .enum(["always_on", "always_off", "probabilistic"])
  .describe("always_on keeps, always_off never keeps, probabilistic keeps `rate` of the matching traces.");

const ruleSchema = z
  .strictObject({
    name: name.describe("Names the policy in metrics and in a kept trace's reasons."),
    condition: z
      .string()
      .min(1, "must not be empty")
      .describe("A condition (docs/alerts.md), span fields allowed."),
    type: policyType,
    rate: unit.optional().describe("Share kept by a probabilistic rule, 0 to 1."),
  })
  .superRefine((rule, ctx) => {
    if (rule.type === "probabilistic" && rule.rate === undefined)
      ctx.addIssue({ code: "custom", path: ["rate"], message: "a probabilistic rule needs a rate" });
  });

/** The seed's `SamplingStrategy` document plus tracewatch's optional keys (docs/sampling.md). */
export const samplingDocumentSchema = z.strictObject({
  apiVersion: z.literal(SAMPLING_API_VERSION).describe("Always tracing/v1."),
  kind: z.literal(SAMPLING_KIND),
  metadata: z.strictObject({ name: name.default("sampling") }).prefault({}),
  spec: z
    .strictObject({
      default: z
        .strictObject({
          type: policyType.default("probabilistic"),
          rate: unit.default(0.1).describe("Share of the traces no rule matched that is kept."),
        })
        .prefault({}),
      rules: z
        .array(ruleSchema)
        .default([])
        .superRefine((rules, ctx) => {
          const seen = new Set<string>();
          rules.forEach((r, i) => {
            if (seen.has(r.name))
              ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate rule name "${r.name}"` });
            seen.add(r.name);
          });
        }),
      adaptive: z
        .strictObject({
          enabled: z.boolean().default(false),
          target_rate: positiveInt.default(1000).describe("Kept traces per minute aimed at (and capped at)."),
          min_rate: unit.default(0.001),
          max_rate: unit.default(1),
        })
        .prefault({}),
      normal_sample: z
        .strictObject({
          per_request_type: z
            .number()
            .int()
            .min(0)
            .default(1)
            .describe("Normal traces kept per request type per interval."),
          interval: duration("Interval of the per-request-type sample.", "1m", { min: "1s", max: "1d" }),
          max_request_types: positiveInt.default(1000).describe("Request types tracked per interval."),
        })
        .prefault({}),
      store: z
        .strictObject({
          max_traces: positiveInt.default(1000).describe("Most kept traces held in memory."),
          max_bytes: positiveInt
            .default(DEFAULT_KEPT_BYTES)
            .describe(
              "Estimated memory of kept traces and their alerts, bytes: carved out of the detector's spec.assembly.max_bytes (must be below it).",
            ),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type SamplingConfig = z.output<typeof samplingDocumentSchema>;
export type SamplingRule = SamplingConfig["spec"]["rules"][number];

/**
 * The configuration when the file has no SamplingStrategy document: the seed's policies for
 * errors, slow requests and health checks, its 10% default rate and its adaptive target of
 * 1,000 kept traces per minute.
 */
export const DEFAULT_SAMPLING: SamplingConfig = samplingDocumentSchema.parse({
  apiVersion: SAMPLING_API_VERSION,
  kind: SAMPLING_KIND,
  metadata: { name: "default-sampling" },
  spec: {
    rules: [
      { name: "errors", condition: "status.code == ERROR", type: "always_on" },
      { name: "slow_requests", condition: "duration > 1000", type: "always_on" },
      { name: "health_checks", condition: "attributes['http.path'] =~ '/health|/ping'", type: "always_off" },
    ],
    adaptive: { enabled: true, target_rate: 1000 },
  },
});

/**
 * The kept-trace store's byte bound, carved out of `spec.assembly.max_bytes`: the SamplingStrategy
 * document's `spec.store.max_bytes` (validated below the budget at load), else the default store's,
 * capped at a quarter of the budget so that a small budget still leaves the open traces room.
 */
export function keptTraceBytes(o: {
  readonly sampling?: SamplingConfig;
  readonly spec: { readonly assembly: { readonly max_bytes: number } };
}): number {
  return (
    o.sampling?.spec.store.max_bytes ??
    Math.min(DEFAULT_KEPT_BYTES, Math.floor(o.spec.assembly.max_bytes / 4))
  );
}
