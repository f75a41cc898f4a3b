import { get } from "./api.js";
import type { Item } from "./types.js";

interface IncidentDoc {
  id: string;
  type: string;
  service: string;
  severity: string;
  summary: string;
  description?: string;
  status: string;
  lastSeenAt: string;
  openedAt: string;
  traceIds?: string[];
  traceCount?: number;
}

interface AlertDoc {
  id: string;
  type: string;
  service: string;
  severity: string;
  description?: string;
  detectedAt: string;
  traceId: string;
  rootService: string;
  rootOperation: string;
  features?: { total_duration?: number };
  evidence?: { p99Baseline?: number | null; culprit?: { service: string } | null };
}

const fromIncident = (i: IncidentDoc): Item => ({
  kind: "incident",
  id: i.id,
  type: i.type,
  service: i.service,
  severity: i.severity,
  summary: i.summary,
  at: i.lastSeenAt ?? i.openedAt,
  open: i.status === "open",
  traceIds: i.traceIds ?? [],
  traceCount: i.traceCount ?? i.traceIds?.length ?? 0,
  description: i.description ?? "",
});

function alertSummary(a: AlertDoc): string {
  const d = a.features?.total_duration;
  const p99 = a.evidence?.p99Baseline;
  const slower = d !== undefined && p99 ? `, ${(d / p99).toFixed(1)}x its p99` : "";
  return `${a.service}: ${a.type.replace(/_/g, " ")} on ${a.rootService} ${a.rootOperation}${slower}`;
}

const fromAlert = (a: AlertDoc): Item => ({
  kind: "alert",
  id: a.id,
  type: a.type,
  service: a.evidence?.culprit?.service ?? a.service,
  severity: a.severity,
  summary:
    a.description !== undefined && a.description !== "" ? a.description.split("\n")[0]! : alertSummary(a),
  at: a.detectedAt,
  // An alert counts as open for the map while it is recent (5 minutes).
  open: Date.parse(a.detectedAt) > Date.now() - 5 * 60_000,
  traceIds: [a.traceId],
  traceCount: 1,
  description: a.description ?? "",
});

let incidentsServed: boolean | null = null;

/**
 * Incidents newest first, from GET /api/v1/incidents; where the server has no incidents route,
 * the recent alerts one per trace.
 */
export async function loadItems(): Promise<Item[]> {
  if (incidentsServed !== false) {
    const doc = await get<{ incidents: IncidentDoc[] } | IncidentDoc[]>("/api/v1/incidents?limit=1000");
    if (doc !== null) {
      incidentsServed = true;
      const list = Array.isArray(doc) ? doc : doc.incidents;
      return list.map(fromIncident).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    }
    incidentsServed = false;
  }
  const page = await get<{ alerts: AlertDoc[] }>("/api/v1/alerts?limit=1000");
  return (page?.alerts ?? []).map(fromAlert);
}

/** One incident (or alert) by id. */
export async function loadItem(kind: string, id: string): Promise<Item | null> {
  if (kind === "incident") {
    const doc = await get<IncidentDoc | { incident: IncidentDoc }>(
      `/api/v1/incidents/${encodeURIComponent(id)}`,
    );
    if (doc === null) return null;
    return fromIncident("incident" in doc ? doc.incident : doc);
  }
  return (await loadItems()).find((i) => i.id === id) ?? null;
}
