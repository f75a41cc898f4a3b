import { formatDuration } from "../alerts/describe.js";
import type { Incident, IncidentEvidence } from "./incident.js";

export { formatDuration };

/** `HH:MM` UTC of an ISO time. */
function clockTime(iso: string): string {
  return iso.slice(11, 16);
}

/** The request type as shown after the service: its operation alone when the root is the service. */
function requestLabel(requestType: string, service: string): string {
  return requestType.startsWith(`${service} `) ? requestType.slice(service.length + 1) : requestType;
}

/** What happened, without counts: "POST /checkout 6.1x slower than its p99", "new call a->b"... */
function what(i: Pick<Incident, "type" | "service" | "requestTypes" | "evidence">): string {
  const e = i.evidence;
  if (e.worstDurationRatio !== null && e.worstDurationRatio > 1) {
    const req = requestLabel(e.worstRequestType ?? i.requestTypes[0] ?? "requests", i.service);
    return `${req} ${e.worstDurationRatio.toFixed(1)}x slower than its p99`;
  }
  if (e.newEdges.length > 0) {
    const more = e.newEdges.length > 3 ? ` (+${e.newEdges.length - 3} more)` : "";
    return `new call ${e.newEdges.slice(0, 3).join(", ")}${more}`;
  }
  if (e.erroringServices.length > 0) return `errors in ${e.erroringServices.slice(0, 3).join(", ")}`;
  return i.type;
}

/** Where the time or the failure went, or "" when the alerts said nothing about it. */
function where(e: IncidentEvidence): string {
  if (e.culprit !== null && e.culprit.traces > 0)
    return `most time in ${e.culprit.service} (+${formatDuration(e.culprit.totalExcessMs / e.culprit.traces)} per trace)`;
  if (e.slowestCall !== null && e.slowestCall.outsideCalleeMs > 0)
    return `most time between ${e.slowestCall.caller} and ${e.slowestCall.callee} (${formatDuration(e.slowestCall.outsideCalleeMs)} outside ${e.slowestCall.callee})`;
  if (e.likelyOrigin !== null) return `errors start in ${e.likelyOrigin}`;
  if (e.slowestService !== null)
    return `most time in ${e.slowestService.service} (${formatDuration(e.slowestService.selfTimeMs)} self time)`;
  return "";
}

type SummaryInput = Pick<
  Incident,
  "type" | "service" | "status" | "openedAt" | "resolvedAt" | "traceCount" | "requestTypes" | "evidence"
>;

/**
 * One sentence for 3 am, e.g. "inventory-service: checkout-service POST /checkout 6.1x slower than
 * its p99 on 37 traces since 12:01 UTC; most time in inventory-service (+1.2 s per trace)".
 */
export function incidentSummary(i: SummaryInput): string {
  const n = `${i.traceCount} trace${i.traceCount === 1 ? "" : "s"}`;
  const when =
    i.status === "resolved" && i.resolvedAt !== null
      ? `from ${clockTime(i.openedAt)} to ${clockTime(i.resolvedAt)} UTC (resolved)`
      : `since ${clockTime(i.openedAt)} UTC`;
  const tail = where(i.evidence);
  return `${i.service}: ${what(i)} on ${n} ${when}${tail === "" ? "" : `; ${tail}`}`;
}

/** The evidence of an incident, one fact a line. */
export function incidentDescription(
  i: SummaryInput & Pick<Incident, "severity" | "worstScore" | "lastSeenAt" | "traceIds">,
): string {
  const e = i.evidence;
  const lines = [
    `${i.type} (${i.severity}) about ${i.service}: ${i.traceCount} traces, first ${i.openedAt}, last ${i.lastSeenAt}`,
    `request types: ${i.requestTypes.join(", ") || "unknown"}`,
    `worst anomaly score: ${i.worstScore === null ? "n/a (warming up)" : i.worstScore.toFixed(3)}`,
  ];
  if (e.worstDurationRatio !== null && e.p99BaselineMs !== null)
    lines.push(
      `worst duration: ${e.worstDurationRatio.toFixed(1)}x the p99 of ${formatDuration(e.p99BaselineMs)} (${e.worstRequestType ?? "?"})`,
    );
  if (e.culprit !== null)
    lines.push(
      `culprit: ${e.culprit.service}, ${formatDuration(e.culprit.totalExcessMs / Math.max(1, e.culprit.traces))} beyond its operations' p99 per trace on ${e.culprit.traces} traces`,
    );
  if (e.slowestCall !== null)
    lines.push(
      `slowest call: ${e.slowestCall.caller} -> ${e.slowestCall.callee}, ${formatDuration(e.slowestCall.outsideCalleeMs)} outside the callee`,
    );
  if (e.slowestService !== null)
    lines.push(
      `most self time: ${e.slowestService.service} (${formatDuration(e.slowestService.selfTimeMs)})`,
    );
  if (e.newEdges.length > 0) lines.push(`new edges: ${e.newEdges.join(", ")}`);
  if (e.erroringServices.length > 0) lines.push(`erroring services: ${e.erroringServices.join(", ")}`);
  if (e.likelyOrigin !== null) lines.push(`likely origin: ${e.likelyOrigin}`);
  if (i.traceIds.length > 0) lines.push(`latest traces: ${i.traceIds.slice(-5).join(", ")}`);
  return lines.join("\n");
}
