import type { Alert } from "../core/alerts/alert.js";
import type { Clock } from "../core/clock.js";
import { KeptTraces, type KeptAlert } from "../core/kept/kept-traces.js";
import type { SamplingDecision, TailSampler } from "../core/sampling/sampler.js";
import type { ScoredTrace } from "../domain/features.js";
import type { OperationStats } from "../core/model/op-baselines.js";
import { buildServiceMap, type HealthThresholds, type MapIncident } from "../core/service-map/graph.js";
import { ServiceMapWindow } from "../core/service-map/window.js";
import { traceView } from "../core/trace-view/trace-view.js";
import type { CompletedTrace } from "../domain/trace.js";
import type { ViewProviders } from "../http/api-views.js";
import type { ServiceGraphEdgeList } from "../metrics/service-graph.js";
import type { DetectionCore } from "./detector.js";

/** Open incidents for the service map; until incidents exist, a provider that returns none. */
export type IncidentProvider = () => readonly MapIncident[];

/** Options of {@link OnCallViews}. */
export interface OnCallViewsOptions {
  readonly core: DetectionCore;
  readonly clock: Clock;
  /** Default service-map window, ms (ServiceGraph `spec.data_source.window`); default 5 min. */
  readonly windowMs?: number;
  /** Error-rate thresholds for node health; default the seed's 1% and 5%. */
  readonly thresholds?: HealthThresholds;
  /** Training samples the first model needs (training.min_samples). */
  readonly minSamples: number;
  readonly incidents?: IncidentProvider;
  /** Kept-trace bounds; defaults 1000 traces, 64 MiB. */
  readonly keptTraces?: number;
  readonly keptBytes?: number;
  /** Tail sampling: which traces besides the alerted ones are kept (see `sample`). */
  readonly sampler?: TailSampler;
}

/**
 * The service map and the kept traces behind the dashboard and its API: fed from completed traces
 * (the service-graph edges the metrics compute, and each alert with its trace).
 */
export class OnCallViews {
  readonly map: ServiceMapWindow;
  readonly kept: KeptTraces;
  private readonly windowMs: number;
  private baselines: { version: string; ops: ReadonlyMap<string, OperationStats> } | null = null;
  /** The trace the last alert was about (alerts of a trace come before its scored output). */
  private alerted: CompletedTrace | null = null;

  constructor(private readonly o: OnCallViewsOptions) {
    this.windowMs = o.windowMs ?? 5 * 60_000;
    this.map = new ServiceMapWindow({ retentionMs: Math.max(15 * 60_000, this.windowMs) });
    this.kept = new KeptTraces({
      ...(o.keptTraces === undefined ? {} : { maxTraces: o.keptTraces }),
      ...(o.keptBytes === undefined ? {} : { maxBytes: o.keptBytes }),
    });
  }

  /**
   * Records a completed trace's calls (the edges the service-graph metrics counted) and entry
   * requests (its root spans), both from `edges` filled for the trace (from its `earlierSpans`).
   */
  recordTrace(edges: ServiceGraphEdgeList): void {
    const now = this.o.clock.now();
    this.map.recordCalls(now, edges);
    for (let r = 0; r < edges.rootCount; r++) {
      const s = edges.root(r);
      this.map.recordEntry(now, s.service, s.status === "ERROR", Math.max(0, edges.rootMs(r)));
    }
  }

  /** Keeps the trace an alert fired on. */
  keepAlerted(alert: Alert, trace: CompletedTrace): void {
    const ev = alert.evidence;
    const spanIds = [
      ...(ev.topSpans ?? []).map((s) => s.spanId),
      ...(ev.likelyOrigin === null ? [] : [ev.likelyOrigin.spanId]),
    ];
    const kept: KeptAlert = {
      id: alert.id,
      type: alert.type,
      severity: alert.severity,
      service: alert.service,
      culprit: ev.culprit?.service ?? null,
      spanIds,
      detectedAt: alert.detectedAt,
    };
    this.kept.keep(trace.spans, "alert", kept, this.o.clock.now());
    this.alerted = trace;
  }

  /**
   * The tail-sampling decision for a scored trace (after its alerts, if any): kept traces join
   * the store (an alerted one is there already). Null without a sampler.
   */
  sample(scored: ScoredTrace, trace: CompletedTrace): SamplingDecision | null {
    const alerted = this.alerted === trace;
    this.alerted = null;
    const sampler = this.o.sampler;
    if (sampler === undefined) return null;
    const now = this.o.clock.now();
    const decision = sampler.decide(scored, trace.spans, alerted, now);
    if (decision.keep && decision.reason !== "alert") this.kept.keep(trace.spans, decision.reason, null, now);
    return decision;
  }

  /** The operation baselines of the model in use, rebuilt once per model version. */
  private operations(): ReadonlyMap<string, OperationStats> | null {
    const model = this.o.core.detector.model;
    const ops = model?.artifact.operations;
    if (model === null || ops === undefined) return null;
    if (this.baselines?.version !== model.version)
      this.baselines = { version: model.version, ops: new Map(ops.operations) };
    return this.baselines.ops;
  }

  providers(): ViewProviders {
    return {
      maxWindowMs: this.map.retentionMs,
      defaultWindowMs: this.windowMs,
      serviceMap: (windowMs) => {
        const model = this.o.core.detector.model;
        return buildServiceMap(this.map.totals(this.o.clock.now(), windowMs), {
          ...(this.o.thresholds === undefined ? {} : { thresholds: this.o.thresholds }),
          knownEdges: model === null ? null : new Set(model.artifact.knownEdges),
          // Only what the map shows of each incident, not its evidence.
          incidents: (this.o.incidents?.() ?? []).map(({ id, service, severity, summary }) => ({
            id,
            service,
            severity,
            summary,
          })),
        });
      },
      traces: (filter) => this.kept.list(filter),
      trace: (traceId) => {
        const t = this.kept.get(traceId);
        if (t === undefined) return null;
        const ops = this.operations();
        const view = traceView(t.spans, (key) => ops?.get(key), {
          services: new Set(t.alerts.map((a) => a.culprit ?? a.service)),
          spanIds: new Set(t.alerts.flatMap((a) => a.spanIds)),
        });
        return { ...view, alerts: t.alerts, spans: t.spans };
      },
      modelStatus: () => {
        const model = this.o.core.detector.model;
        const a = model?.artifact;
        return {
          status: model === null ? "warming_up" : "loaded",
          warmUp: { samples: this.o.core.window.size, required: this.o.minSamples },
          version: a?.version ?? null,
          trainedAt: a === undefined ? null : new Date(a.trainedAtMs).toISOString(),
          samples: a?.sampleCount ?? null,
        };
      },
    };
  }
}
