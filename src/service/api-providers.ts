import type { Alert } from "../core/alerts/alert.js";
import { extractFeatures } from "../core/features/extract.js";
import { decodeSpans } from "../decode/index.js";
import type { Span } from "../domain/span.js";
import type { ApiProviders, ModelSummary, ReadinessReport, WarmUpReport } from "../http/api-types.js";
import { RecentAlerts } from "../http/recent-alerts.js";
import type { Retrainer } from "../model/retrainer.js";
import type { DetectionCore } from "./detector.js";

const API_DECODE = { attributes: { mode: "all" } } as const;

/** What the API providers read from the running service. */
export interface ProviderDeps {
  readonly core: DetectionCore;
  readonly retrainer: Retrainer;
  readonly recent: RecentAlerts<Alert>;
  readonly windowMs: number;
  readonly sources: () => ReadinessReport["sources"];
  /** The live state of the parts the service depends on. Default: none. */
  readonly components?: () => NonNullable<ReadinessReport["components"]>;
}

function modelSummary(core: DetectionCore, windowMs: number): ModelSummary | null {
  const m = core.detector.model;
  if (m === null) return null;
  const a = m.artifact;
  return {
    version: a.version,
    trainedAt: new Date(a.trainedAtMs).toISOString(),
    samples: a.sampleCount,
    windowMs,
    detector: a.detector,
    observed: a.observedCount,
    trainingWindow: {
      start: new Date(a.window.startMs).toISOString(),
      end: new Date(a.window.endMs).toISOString(),
    },
    groupKey: a.groupKey,
    columns: a.columns,
    params: a.params,
    baselines: {
      minGroupSamples: a.baselines.minGroupSamples,
      global: a.baselines.global,
      groups: a.baselines.groups.length,
      roots: a.baselines.roots.length,
    },
    knownEdges: a.knownEdges.length,
  };
}

/** Warm-up progress while the detector has no model, else null. */
export function warmUpReport(core: DetectionCore): WarmUpReport | null {
  if (!core.detector.warmingUp) return null;
  const p = core.window.warmUp();
  return {
    samples: p.samples,
    minSamples: p.minSamples,
    observed: p.observed,
    etaSeconds: p.etaMs === null ? null : Math.ceil(p.etaMs / 1000),
  };
}

/** Features, score and the alerts that would fire for one trace, touching no state. */
function preview(core: DetectionCore, spans: readonly Span[]) {
  const traceId = spans[0]?.traceId ?? "";
  const foreign = spans.find((s) => s.traceId !== traceId);
  if (foreign !== undefined)
    throw new RangeError(`spans of more than one trace (${traceId}, ${foreign.traceId})`);
  const trace = { traceId, spans, reason: "flush" as const, completedAtMs: 0 };
  const features = extractFeatures(trace, { groupKey: core.detector.groupKey });
  const scored = core.detector.score(features);
  const decisions = core.previewAlerter().process(scored, trace);
  return {
    traceId,
    features,
    anomalyScore: scored.anomaly_score,
    p99Baseline: scored.p99_baseline,
    newEdges: scored.new_edges,
    modelVersion: scored.model_version,
    warmingUp: scored.anomaly_score === null,
    alerts: decisions.flatMap((d) => (d.kind === "emit" ? [d.alert] : [])),
    decisions: decisions.map((d) => (d.kind === "emit" ? { kind: d.kind, type: d.alert.type } : d)),
  };
}

/** The HTTP API's view of the running service. */
export function apiProviders(d: ProviderDeps): ApiProviders {
  return {
    readiness: () => {
      const warmUp = warmUpReport(d.core);
      return {
        sources: d.sources(),
        model: warmUp === null ? "loaded" : "warming_up",
        ...(d.components === undefined ? {} : { components: d.components() }),
        ...(warmUp === null ? {} : { warmUp }),
      };
    },
    alerts: d.recent,
    model: () => modelSummary(d.core, d.windowMs),
    warmUp: () => warmUpReport(d.core),
    async retrain() {
      const o = await d.retrainer.retrain();
      switch (o.status) {
        case "installed":
          return { status: "completed", version: o.version };
        case "refused":
          return { status: "rejected", message: `${o.reason}: ${o.detail}` };
        case "skipped":
          return o.reason === "busy"
            ? { status: "already_running" }
            : { status: "failed", message: "service is shutting down" };
      }
    },
    decode: (body) => decodeSpans(body, API_DECODE),
    score: (spans) => preview(d.core, spans),
  };
}
