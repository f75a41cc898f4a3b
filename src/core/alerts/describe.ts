import type { Alert } from "./alert.js";

/** A duration for people: `850 ms`, `1.2 s`, `3.4 min`. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/**
 * The evidence of one per-trace alert as text (its `description`): the rule's own description
 * first when it has one, then what the trace showed.
 */
export function alertDescription(a: Omit<Alert, "description">, ruleDescription = ""): string {
  const e = a.evidence;
  const lines = ruleDescription === "" ? [] : [ruleDescription];
  lines.push(
    `${a.type} (${a.severity}) on trace ${a.traceId} about ${a.service}: ${a.rootService} ${a.rootOperation}, ${formatDuration(a.features.total_duration)}, ${a.features.span_count} spans, ${a.features.error_count} errors`,
  );
  if (e.p99Baseline !== null && e.durationRatio !== null)
    lines.push(`${e.durationRatio.toFixed(1)}x its p99 of ${formatDuration(e.p99Baseline)} (${e.groupKey})`);
  if (a.anomalyScore !== null) lines.push(`anomaly score ${a.anomalyScore.toFixed(3)}`);
  if (e.culprit !== undefined && e.culprit !== null)
    lines.push(
      `culprit: ${e.culprit.service} (+${formatDuration(e.culprit.excessMs)} beyond its operations' p99)`,
    );
  for (const s of (e.topSpans ?? []).slice(0, 3))
    lines.push(
      `span ${s.operation}: self time ${formatDuration(s.selfTimeMs)}, p99 ${formatDuration(s.selfP99Ms)}`,
    );
  const missing = e.missingCalls ?? [];
  if (missing.length > 0)
    lines.push(
      `missing calls: ${missing
        .slice(0, 5)
        .map(
          (m) =>
            `${m.operation} (usually in ${(m.presence * 100).toFixed(1)}% of the type's traces, called from ${m.parent === "" ? "the root" : m.parent})`,
        )
        .join("; ")}`,
    );
  for (const u of (e.unexpectedErrors ?? []).slice(0, 3))
    lines.push(
      `unexpected error: ${u.operation} (baseline error rate ${(u.baselineRate * 100).toFixed(2)}%, depth ${u.depth})`,
    );
  if (e.slowestCall !== undefined && e.slowestCall !== null)
    lines.push(
      `slowest call: ${e.slowestCall.caller} -> ${e.slowestCall.callee} ${e.slowestCall.operation}, ${formatDuration(e.slowestCall.outsideCalleeMs)} outside the callee`,
    );
  if (e.slowestService !== null)
    lines.push(
      `most self time: ${e.slowestService.service} (${formatDuration(e.slowestService.selfTimeMs)})`,
    );
  if (e.newEdges.length > 0) lines.push(`new edges: ${e.newEdges.join(", ")}`);
  if (e.erroringServices.length > 0) lines.push(`erroring services: ${e.erroringServices.join(", ")}`);
  if (e.likelyOrigin !== null)
    lines.push(
      `likely origin: ${e.likelyOrigin.service} ${e.likelyOrigin.operation} (depth ${e.likelyOrigin.depth})`,
    );
  return lines.join("\n");
}
