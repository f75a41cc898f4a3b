import type { Clock } from "../core/clock.js";
import { parsePrometheusText, type PromSample } from "./prometheus-text.js";
import type { IncidentBody, ModelsBody, ReadyzBody, StatusInputs } from "./report.js";

/** Options of {@link probeStatus}. */
export interface ProbeOptions {
  /** Base URL of serve's API, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** Bearer token for /api/v1/* (never printed). */
  readonly token?: string;
  /** Time between the two /metrics scrapes the rates are computed from, ms. Default 1,000. */
  readonly sampleMs?: number;
  /** Per request, ms. Default 5,000. */
  readonly timeoutMs?: number;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
}

/** The server could not be reached at all (connection refused, DNS, timeout on /readyz). */
export class UnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnreachableError";
  }
}

const ALERTS_PAGE = 1_000;
const ALERT_PAGES = 10;
/** The API's largest page of incidents; it has no cursor, so an answer this long may be cut. */
const INCIDENTS_LIMIT = 1_000;

/**
 * Asks a running serve for its status: `/readyz` (must answer: else {@link UnreachableError}),
 * then, best effort, `/api/v1/models`, two scrapes of `/metrics`, the last hour's alerts and the
 * open incidents.
 */
export async function probeStatus(o: ProbeOptions): Promise<StatusInputs> {
  const base = o.url.replace(/\/+$/, "");
  const timeoutMs = o.timeoutMs ?? 5_000;
  const auth: Record<string, string> =
    o.token === undefined || o.token === "" ? {} : { authorization: `Bearer ${o.token}` };
  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(base + path, { headers, signal: AbortSignal.timeout(timeoutMs) });
  let readyz: Response;
  try {
    readyz = await get("/readyz");
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new UnreachableError(`cannot reach ${base}/readyz: ${cause}`);
  }
  const body = (await readyz.json().catch(() => ({}))) as ReadyzBody;
  const problems: string[] = [];
  const api = async <T>(path: string): Promise<T | null> => {
    try {
      const r = await get(path, auth);
      if (r.status === 401) {
        problems.push(`${path}: unauthorized (give --token or TRACEWATCH_API_TOKEN)`);
        return null;
      }
      if (!r.ok) {
        problems.push(`${path}: HTTP ${r.status}`);
        return null;
      }
      return (await r.json()) as T;
    } catch (err) {
      problems.push(`${path}: ${(err as Error).message}`);
      return null;
    }
  };
  const scrape = async (): Promise<PromSample[] | null> => {
    try {
      const r = await get("/metrics");
      if (!r.ok) {
        problems.push(`/metrics: HTTP ${r.status}`);
        return null;
      }
      return parsePrometheusText(await r.text());
    } catch (err) {
      problems.push(`/metrics: ${(err as Error).message}`);
      return null;
    }
  };
  const models = await api<ModelsBody>("/api/v1/models");
  const t0 = o.clock.now();
  const first = await scrape();
  let metrics: StatusInputs["metrics"] = null;
  if (first !== null) {
    await o.sleep(o.sampleMs ?? 1_000);
    const second = await scrape();
    if (second !== null) metrics = { first, second, elapsedMs: o.clock.now() - t0 };
  }
  const alerts = await lastHourAlerts(api, o.clock.now());
  const incidents = await api<IncidentsBody>(`/api/v1/incidents?status=open&limit=${INCIDENTS_LIMIT}`);
  const openIncidents = incidents === null ? null : (incidents.incidents ?? []);
  return {
    readyz: { httpStatus: readyz.status, body },
    models,
    metrics,
    alertsLastHour: alerts === null ? null : alerts.types,
    alertsTruncated: alerts?.truncated ?? false,
    openIncidents,
    incidentsTruncated: openIncidents !== null && openIncidents.length >= INCIDENTS_LIMIT,
    problems,
    nowMs: o.clock.now(),
  };
}

interface IncidentsBody {
  readonly incidents?: readonly IncidentBody[];
}

interface AlertsPage {
  readonly alerts?: readonly { readonly type?: string }[];
  readonly next?: string | null;
}

async function lastHourAlerts(
  api: <T>(path: string) => Promise<T | null>,
  nowMs: number,
): Promise<{ types: string[]; truncated: boolean } | null> {
  const since = new Date(nowMs - 3_600_000).toISOString();
  const types: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < ALERT_PAGES; page++) {
    const q: string = `since=${encodeURIComponent(since)}&limit=${ALERTS_PAGE}${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
    const r: AlertsPage | null = await api<AlertsPage>(`/api/v1/alerts?${q}`);
    if (r === null) return page === 0 ? null : { types, truncated: true };
    for (const a of r.alerts ?? []) types.push(a.type ?? "unknown");
    cursor = r.next ?? null;
    if (cursor === null) return { types, truncated: false };
  }
  return { types, truncated: true };
}
