import type { ScoredTrace } from "../../domain/features.js";
import type { CompletedTrace } from "../../domain/trace.js";
import type { CompiledRule } from "../rules/rules.js";
import { SEVERITY_WEIGHTS } from "../rules/severity.js";
import { ALERT_VERSION, alertId, type Alert, type AlertDedup, type AlertEvidence } from "./alert.js";
import type { Redactor } from "./redaction.js";
import { analyseTrace, type TraceAnalysis } from "./trace-analysis.js";

/** Longest critical path carried in an alert; longer paths keep their slowest steps. */
export const MAX_CRITICAL_PATH_STEPS = 20;

const EMPTY_ANALYSIS: TraceAnalysis = {
  root: null,
  originSpan: null,
  likelyOrigin: null,
  criticalPath: [],
  slowestService: null,
  slowestCall: null,
};

/** Everything the builder needs besides the rule. */
export interface AlertContext {
  readonly detector: string;
  readonly threshold: number;
  readonly nowMs: number;
  readonly scored: ScoredTrace;
  readonly analysis: TraceAnalysis;
  readonly redactor: Redactor;
}

/** Analyses `trace` when given; without spans the evidence has no path, origin or attributes. */
export function analyse(trace: CompletedTrace | undefined): TraceAnalysis {
  return trace === undefined ? EMPTY_ANALYSIS : analyseTrace(trace.spans);
}

function boundPath(analysis: TraceAnalysis): { steps: AlertEvidence["criticalPath"]; truncated: boolean } {
  const path = analysis.criticalPath;
  if (path.length <= MAX_CRITICAL_PATH_STEPS) return { steps: path, truncated: false };
  const keep = new Set(
    [...path].sort((a, b) => b.selfTimeMs - a.selfTimeMs).slice(0, MAX_CRITICAL_PATH_STEPS),
  );
  return { steps: path.filter((s) => keep.has(s)), truncated: true };
}

/** The likely origin for errors, as the grouping key of `origin`-scoped rules. */
export function originKey(ctx: Pick<AlertContext, "analysis" | "scored">): string {
  const f = ctx.scored.features;
  return ctx.analysis.likelyOrigin?.service ?? f.erroring_services[0] ?? f.root_service;
}

/**
 * The service a code-level rule's alert is about, from what its condition reads: for
 * `missing_calls` the service that usually calls the missing operations, for `unexpected_errors`
 * the service of the deepest unexpected ERROR span (a rule reading both: the one the trace shows).
 */
export function codeLevelService(rule: CompiledRule, scored: ScoredTrace): string | null {
  const c = scored.calls;
  if (c === undefined || c === null) return null;
  const ids = rule.condition.identifiers;
  const missing = ids.includes("missing_calls") ? c.missing_culprit : null;
  const errors = ids.includes("unexpected_errors") ? c.error_culprit : null;
  if (missing !== null && errors !== null) return c.unexpected_errors > 0 ? errors : missing;
  return missing ?? errors;
}

/**
 * The service an alert is about: the new edge's callee, the error origin, the code-level culprit,
 * or the service with the most time beyond its baselines (else the slowest service).
 */
function primaryService(rule: CompiledRule, ctx: AlertContext, keys: readonly string[]): string {
  const f = ctx.scored.features;
  if (rule.dedup === "edge") {
    const edge = keys[0] ?? ctx.scored.new_edges[0];
    const callee = edge?.split("->")[1];
    if (callee !== undefined && callee !== "") return callee;
  }
  if (rule.dedup === "origin") return originKey(ctx);
  return (
    codeLevelService(rule, ctx.scored) ??
    ctx.scored.spans?.culprit ??
    ctx.analysis.slowestService?.service ??
    f.root_service
  );
}

/** Every service the alert names: each new edge's callee for edge alerts, else the one service. */
function servicesOf(rule: CompiledRule, ctx: AlertContext, primary: string): readonly string[] {
  if (rule.dedup !== "edge" || ctx.scored.new_edges.length <= 1) return [primary];
  const callees = new Set<string>();
  for (const e of ctx.scored.new_edges) {
    const callee = e.split("->")[1];
    if (callee !== undefined && callee !== "") callees.add(callee);
  }
  return callees.size === 0 ? [primary] : [...callees].sort();
}

function evidence(ctx: AlertContext, services: readonly string[]): AlertEvidence {
  const { scored, analysis, redactor } = ctx;
  const spans = scored.spans;
  const calls = scored.calls;
  const base = scored.p99_baseline;
  const { steps, truncated } = boundPath(analysis);
  return {
    groupKey: scored.features.group_key,
    p99Baseline: base,
    durationRatio: base === null || base <= 0 ? null : scored.features.total_duration / base,
    newEdges: scored.new_edges,
    erroringServices: scored.features.erroring_services,
    likelyOrigin: analysis.likelyOrigin,
    slowestService: analysis.slowestService,
    slowestCall: analysis.slowestCall,
    culprit:
      spans?.culprit === undefined || spans.culprit === null
        ? null
        : { service: spans.culprit, excessMs: spans.culprit_excess_ms },
    topSpans: spans?.top_spans ?? [],
    ...(calls === undefined || calls === null || calls.missing.length === 0
      ? {}
      : { missingCalls: calls.missing }),
    ...(calls === undefined || calls === null || calls.errors.length === 0
      ? {}
      : { unexpectedErrors: calls.errors }),
    services,
    criticalPath: steps,
    criticalPathTruncated: truncated,
    rootAttributes: analysis.root === null ? {} : redactor.apply(analysis.root.attributes),
    originAttributes: analysis.originSpan === null ? {} : redactor.apply(analysis.originSpan.attributes),
  };
}

/** Builds the version 1 alert of `rule` firing on the context's trace. */
export function buildAlert(rule: CompiledRule, ctx: AlertContext, dedup: AlertDedup): Alert {
  const f = ctx.scored.features;
  const score = ctx.scored.anomaly_score;
  const service = primaryService(rule, ctx, dedup.keys);
  return {
    version: ALERT_VERSION,
    id: alertId(f.traceId, rule.type),
    type: rule.type,
    severity: rule.severity,
    severityScore: SEVERITY_WEIGHTS[rule.severity],
    detector: ctx.detector,
    traceId: f.traceId,
    detectedAt: new Date(ctx.nowMs).toISOString(),
    traceStartedAt: new Date(f.startTimeMs).toISOString(),
    anomalyScore: score,
    anomalous: score === null ? null : score >= ctx.threshold,
    modelVersion: ctx.scored.model_version,
    condition: rule.condition.source,
    description: rule.description,
    service,
    rootService: f.root_service,
    rootOperation: f.root_operation,
    features: {
      total_duration: f.total_duration,
      span_count: f.span_count,
      error_count: f.error_count,
      service_hop_count: f.service_hop_count,
      max_span_duration: f.max_span_duration,
      affected_services: f.affected_services,
    },
    evidence: evidence(ctx, servicesOf(rule, ctx, service)),
    dedup,
  };
}
