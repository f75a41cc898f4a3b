import { z } from "zod";
import { duration } from "./primitives.js";

export const SERVICE_GRAPH_API_VERSION = "visualization/v1";
export const SERVICE_GRAPH_KIND = "ServiceGraph";

const PERCENT = String.raw`(\d+(?:\.\d+)?)\s*%`;
const BELOW = new RegExp(String.raw`^<\s*` + PERCENT + "$");
const BETWEEN = new RegExp("^" + PERCENT + String.raw`\s*-\s*` + PERCENT + "$");
const ABOVE = new RegExp(String.raw`^>\s*` + PERCENT + "$");

const enumOf = <T extends string>(values: readonly [T, ...T[]], fallback: T, description: string) =>
  z.enum(values).default(fallback).describe(description);

/** The seed's error-rate thresholds as written, and as fractions. */
const thresholdsSchema = z
  .strictObject({
    healthy: z
      .string()
      .regex(BELOW, 'must be like "< 1%"')
      .default("< 1%")
      .describe("Error rate below which a service is healthy."),
    warning: z
      .string()
      .regex(BETWEEN, 'must be like "1% - 5%"')
      .default("1% - 5%")
      .describe("Error-rate range of warning: from the healthy bound to the critical bound."),
    critical: z
      .string()
      .regex(ABOVE, 'must be like "> 5%"')
      .default("> 5%")
      .describe("Error rate above which a service is critical."),
  })
  .transform((t, ctx) => {
    const healthy = Number(BELOW.exec(t.healthy)?.[1]);
    const between = BETWEEN.exec(t.warning);
    const critical = Number(ABOVE.exec(t.critical)?.[1]);
    if (Number(between?.[1]) !== healthy || Number(between?.[2]) !== critical || !(healthy < critical)) {
      ctx.addIssue({
        code: "custom",
        path: ["warning"],
        message: `must run from the healthy bound to the critical bound (like "1% - 5%" with "< 1%" and "> 5%")`,
      });
      return z.NEVER;
    }
    return { ...t, warningRate: healthy / 100, criticalRate: critical / 100 };
  })
  .prefault({});

/**
 * The product document's `ServiceGraph` (apiVersion visualization/v1): the service map's window
 * and health thresholds. Written beside the TraceAnomalyDetector document in the same YAML file
 * (`---` between them); every key is optional, and the seed's document loads unchanged.
 */
export const serviceGraphDocumentSchema = z.strictObject({
  apiVersion: z.literal(SERVICE_GRAPH_API_VERSION).describe("Always visualization/v1."),
  kind: z.literal(SERVICE_GRAPH_KIND),
  metadata: z
    .looseObject({ name: z.string().min(1).optional() })
    .prefault({})
    .describe("Free-form; name identifies the view."),
  spec: z
    .strictObject({
      data_source: z
        .strictObject({
          type: enumOf(["traces"], "traces", "Where the map comes from: completed traces."),
          window: duration("Time range the map shows by default (GET /api/v1/service-map).", "5m", {
            min: "10s",
            max: "1d",
          }),
          refresh_interval: duration("How often the dashboard redraws the map.", "30s", {
            min: "1s",
            max: "1h",
          }),
        })
        .prefault({}),
      layout: z
        .strictObject({
          algorithm: enumOf(["force-directed"], "force-directed", "Layout (d3-force)."),
          node_spacing: z.number().positive().default(100).describe("Distance between linked nodes, px."),
          edge_bundling: z.boolean().default(false).describe("Accepted; edges are drawn straight."),
        })
        .prefault({}),
      nodes: z
        .strictObject({
          size_by: enumOf(["request_rate"], "request_rate", "Node size."),
          color_by: enumOf(["error_rate"], "error_rate", "Node color (health)."),
          thresholds: thresholdsSchema,
        })
        .prefault({}),
      edges: z
        .strictObject({
          width_by: enumOf(["request_volume"], "request_volume", "Edge width."),
          color_by: enumOf(["latency"], "latency", "Edge color."),
          show_metrics: z.boolean().default(true).describe("Edge figures on hover."),
        })
        .prefault({}),
      interactions: z
        .looseObject({
          hover: z.string().optional(),
          click: z.string().optional(),
          double_click: z.string().optional(),
        })
        .prefault({})
        .describe("Accepted as written; the dashboard shows details on hover and traces on click."),
    })
    .prefault({}),
});

export type ServiceGraphDocument = z.output<typeof serviceGraphDocumentSchema>;
