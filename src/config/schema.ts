import { z } from "zod";
import { DEFAULTS } from "./defaults.js";
import { crossFieldChecks } from "./checks.js";
import {
  alertsSchema,
  detectionSchema,
  metadataSchema,
  modelSchema,
  trainingSchema,
} from "./schema-detector.js";
import {
  alertingSchema,
  apiSchema,
  incidentsSchema,
  assemblySchema,
  deadLettersSchema,
  loggingSchema,
  metricsSchema,
  modelStoreSchema,
  redactionSchema,
  sinksSchema,
  topicsSchema,
} from "./schema-service.js";
import { sourcesSchema } from "./schema-sources.js";
import type { ServiceGraphDocument } from "./schema-service-graph.js";
import type { SamplingConfig } from "./schema-sampling.js";

export const API_VERSION = "aiops/v1";
export const KIND = "TraceAnomalyDetector";

const specSchema = z
  .strictObject({
    model: modelSchema,
    training: trainingSchema,
    detection: detectionSchema,
    alerts: alertsSchema,
    sources: sourcesSchema,
    assembly: assemblySchema,
    topics: topicsSchema,
    sinks: sinksSchema,
    redaction: redactionSchema,
    dead_letters: deadLettersSchema,
    alerting: alertingSchema,
    incidents: incidentsSchema,
    model_store: modelStoreSchema,
    api: apiSchema,
    metrics: metricsSchema,
    logging: loggingSchema,
  })
  .prefault({})
  .describe("The detector (seed keys: model, training, detection, alerts) and the service around it.");

/** The document as written: the seed's TraceAnomalyDetector plus optional service settings. */
export const documentSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION).default(API_VERSION).describe("Always aiops/v1."),
    kind: z.literal(KIND).default(KIND).describe("Always TraceAnomalyDetector."),
    metadata: metadataSchema,
    spec: specSchema,
  })
  .superRefine(crossFieldChecks, { when: () => true });

type Document = z.output<typeof documentSchema>;
type Spec = Document["spec"];
type SinkInput = NonNullable<Spec["sinks"]>[number];
/** A sink with its resolved name (default: its type) and, for kafka, its resolved topic. */
export type SinkConfig =
  | (Exclude<SinkInput, { type: "kafka" }> & { name: string })
  | (Extract<SinkInput, { type: "kafka" }> & { name: string; topic: string });

/**
 * The loaded configuration. Durations are milliseconds (numbers); `sources.kafka.enabled`,
 * `sources.otlp_http.enabled` and `sources.otlp_grpc.enabled` are resolved; `sinks` is never empty; every value is frozen.
 */
export type Config = Omit<Document, "spec"> & {
  readonly spec: Omit<Spec, "sources" | "sinks"> & {
    readonly sources: {
      readonly kafka: Spec["sources"]["kafka"] & { readonly enabled: boolean };
      readonly otlp_http: Spec["sources"]["otlp_http"] & { readonly enabled: boolean };
      readonly otlp_grpc: Spec["sources"]["otlp_grpc"] & { readonly enabled: boolean };
    };
    readonly sinks: readonly SinkConfig[];
  };
  /** The file's ServiceGraph document (service map window and thresholds), when it has one. */
  readonly serviceGraph?: ServiceGraphDocument;
  /** The file's SamplingStrategy document (which completed traces are kept), when it has one. */
  readonly sampling?: SamplingConfig;
};

/** Fills the defaults that depend on other keys (which sources run, which sinks exist). */
export function resolveDocument(doc: Document): Config {
  const { spec } = doc;
  const kafkaEnabled = spec.sources.kafka.brokers.length > 0;
  const otlpHttpEnabled = spec.sources.otlp_http.enabled ?? !kafkaEnabled;
  const declared = spec.sinks ?? [
    { type: "log" as const, level: DEFAULTS.sinks.log_level },
    ...(kafkaEnabled ? [{ type: "kafka" as const }] : []),
  ];
  const sinks = declared.map((sink): SinkConfig => {
    const named = { ...sink, name: sink.name ?? sink.type };
    return named.type === "kafka" ? { ...named, topic: named.topic ?? spec.topics.alerts } : named;
  });
  return {
    ...doc,
    spec: {
      ...spec,
      sources: {
        kafka: { ...spec.sources.kafka, enabled: kafkaEnabled },
        otlp_http: { ...spec.sources.otlp_http, enabled: otlpHttpEnabled },
        otlp_grpc: { ...spec.sources.otlp_grpc, enabled: spec.sources.otlp_grpc.enabled ?? otlpHttpEnabled },
      },
      sinks,
    },
  };
}
