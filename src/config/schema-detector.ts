import { z } from "zod";
import { MODEL_FEATURES } from "../domain/features.js";
import { DEFAULTS } from "./defaults.js";
import { duration, durationString, name, positiveInt, unit } from "./primitives.js";

/** The seed's alert rules, used when `spec.alerts` is absent. */
export const SEED_ALERTS = [
  {
    type: "latency_spike",
    condition: "anomaly_score > 0.9 AND total_duration > p99_baseline * 2",
    severity: "high",
  },
  { type: "unusual_path", condition: "new_service_combination = true", severity: "medium" },
  { type: "cascade_failure", condition: "error_count > 5 AND affected_services > 3", severity: "critical" },
] as const;

/**
 * The code-level rules config/default.yaml adds beside the seed's three (docs/alerts.md): calls a
 * request type always makes that are missing, and errors of operations that never fail, below
 * the cascade rule.
 */
export const CODE_LEVEL_ALERTS = [
  {
    type: "missing_calls",
    condition: "missing_calls >= 1",
    severity: "medium",
    description: "operations the request type calls in (almost) every trace are missing",
  },
  {
    type: "unexpected_errors",
    condition: "unexpected_errors >= 1 AND NOT (error_count > 5 AND affected_services > 3)",
    severity: "high",
    description: "an operation whose error rate is near zero failed",
  },
] as const;

/**
 * The operation-level latency rule config/default.yaml adds (docs/alerts.md): one service's own
 * spans became slow, a significant share of them at once, where whole traces are not twice their
 * type's p99.
 */
export const OPERATION_ALERTS = [
  {
    type: "slow_operation",
    condition: "degraded_spans >= 1",
    severity: "high",
    description: "spans of an operation many of whose recent spans took over twice its p99",
  },
] as const;

/** The rules used when `spec.alerts` is absent: the seed's three, the code-level two and slow_operation. */
export const DEFAULT_ALERTS = [...SEED_ALERTS, ...CODE_LEVEL_ALERTS, ...OPERATION_ALERTS] as const;

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;

const m = DEFAULTS.model;
export const modelSchema = z
  .strictObject({
    type: z.literal("isolation_forest").default(m.type).describe("Model kind; only isolation_forest exists."),
    features: z
      .array(z.enum(MODEL_FEATURES))
      .min(1)
      .default([...m.features])
      .describe("Feature columns the forest is trained and scored on, in order."),
    trees: positiveInt.max(10_000).default(m.trees).describe("Number of isolation trees."),
    subsample: positiveInt.min(2).max(1_000_000).default(m.subsample).describe("Rows sampled per tree."),
    seed: z
      .number()
      .int()
      .min(0)
      .default(m.seed)
      .describe("Random seed; the same data and seed give the same model."),
  })
  .prefault({})
  .describe("The anomaly model (seed section).");

const t = DEFAULTS.training;
export const trainingSchema = z
  .strictObject({
    window: duration("Rolling window of recent traffic the model is trained on.", t.window),
    sample_rate: unit
      .default(t.sample_rate)
      .describe("Fraction of scored traces kept in the training window."),
    exclude_errors: z
      .boolean()
      .default(t.exclude_errors)
      .describe("Leave traces with error spans out of training."),
    retrain_interval: duration("How often the model is retrained from the window.", t.retrain_interval),
    min_samples: positiveInt
      .default(t.min_samples)
      .describe("Traces the window must hold before the first model is trained (warm-up)."),
    max_samples: positiveInt.default(t.max_samples).describe("Upper bound on traces kept in the window."),
    edge_retention: duration(
      "How long a call edge stays known after it was last seen in a learned trace (at least the window).",
      t.edge_retention,
    ),
    max_edges: positiveInt
      .default(t.max_edges)
      .describe("Most known call edges remembered; the least recently seen is forgotten first."),
  })
  .prefault({})
  .describe("Training window and schedule (seed section).");

const d = DEFAULTS.detection;
export const detectionSchema = z
  .strictObject({
    threshold: unit
      .default(d.threshold)
      .describe("Calibrated anomaly score above which a trace is anomalous."),
    min_severity: unit.default(d.min_severity).describe("Minimum severity score for an alert to be emitted."),
  })
  .prefault({})
  .describe("Detection thresholds (seed section).");

export const alertRuleSchema = z
  .strictObject({
    type: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, "must be snake_case (a-z, 0-9, _), starting with a letter")
      .describe("Alert type, e.g. latency_spike; unique."),
    condition: z.string().trim().min(1, "must not be empty").describe("Condition in the rule language."),
    severity: z.enum(SEVERITIES).describe("Severity carried by the alert."),
    dedup: z
      .enum(["trace", "edge", "origin"])
      .optional()
      .describe(
        "How repeats collapse: one alert per trace, per new edge or per origin service within the cooldown; default edge for unusual_path, origin for cascade_failure, else trace.",
      ),
    cooldown: durationString("Dedup window of this rule; default spec.alerting.cooldown.").optional(),
    description: z.string().optional().describe("Free text carried into the alert."),
    enabled: z.boolean().default(true).describe("Set false to keep a rule without evaluating it."),
  })
  .describe("One alert rule.");

export const alertsSchema = z
  .array(alertRuleSchema)
  .default(DEFAULT_ALERTS.map((a) => ({ ...a, enabled: true })))
  .describe(
    "Alert rules (seed section); when absent, the seed's three rules, the code-level missing_calls and unexpected_errors, and slow_operation.",
  );

export const metadataSchema = z
  .strictObject({
    name: name
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be lowercase letters, digits, '-' or '.'")
      .default("tracewatch")
      .describe("Detector name; carried in every alert as `detector`."),
    labels: z.record(z.string(), z.string()).optional().describe("Free-form labels."),
    annotations: z.record(z.string(), z.string()).optional().describe("Free-form annotations."),
  })
  .prefault({})
  .describe("Object metadata.");
