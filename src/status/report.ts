import { sumOf, type PromSample } from "./prometheus-text.js";

/** `GET /readyz` as the server answers it (see src/http/api-types.ts, ReadinessReport). */
export interface ReadyzBody {
  readonly status?: string;
  readonly sources?: readonly {
    readonly name: string;
    readonly connected: boolean;
    readonly detail?: string;
  }[];
  readonly model?: string;
  readonly components?: readonly {
    readonly name: string;
    readonly ready: boolean;
    readonly reason?: string;
  }[];
  readonly warmUp?: {
    readonly samples: number;
    readonly minSamples: number;
    readonly observed: number;
    readonly etaSeconds: number | null;
  };
}

/** `GET /api/v1/models` (the parts the status shows). */
export interface ModelsBody {
  readonly status?: string;
  readonly model?: { readonly version: string; readonly trainedAt: string; readonly samples?: number } | null;
}

/** An incident as `GET /api/v1/incidents` lists it (the parts the status shows). */
export interface IncidentBody {
  readonly id?: string;
  readonly type?: string;
  readonly service?: string;
  readonly status?: string;
  readonly severity?: string;
  readonly summary?: string;
  readonly openedAt?: string;
  readonly lastSeenAt?: string;
  readonly traceCount?: number;
}

/** Open incidents listed in the status, newest first, at most. */
export const MAX_INCIDENTS_SHOWN = 10;

/** What the status command gathered from a running serve. */
export interface StatusInputs {
  /** HTTP status of /readyz (200 ready, 503 not ready) and its body. */
  readonly readyz: { readonly httpStatus: number; readonly body: ReadyzBody };
  /** /api/v1/models; null when it could not be read (the reason in `problems`). */
  readonly models: ModelsBody | null;
  /** Two scrapes of /metrics `elapsedMs` apart (rates); null when /metrics could not be read. */
  readonly metrics: {
    readonly first: readonly PromSample[];
    readonly second: readonly PromSample[];
    readonly elapsedMs: number;
  } | null;
  /** Alert types of the alerts detected in the last hour; null when they could not be read. */
  readonly alertsLastHour: readonly string[] | null;
  /** Whether more alerts than were read fell in the hour (the count is a lower bound). */
  readonly alertsTruncated?: boolean;
  /** The open incidents; null when they could not be read. */
  readonly openIncidents: readonly IncidentBody[] | null;
  /** Whether the API's answer was cut at its limit (more incidents may be open). */
  readonly incidentsTruncated?: boolean;
  /** Problems reading the optional parts, for the reader. */
  readonly problems: readonly string[];
  /** Wall clock, Unix ms. */
  readonly nowMs: number;
}

/** The status of a running serve: what `tracewatch status` prints (and `--json` writes). */
export interface StatusReport {
  readonly ready: boolean;
  readonly sources: readonly {
    readonly name: string;
    readonly connected: boolean;
    readonly detail?: string;
  }[];
  /** Consumer lag per topic (messages), from tracewatch_consumer_lag; empty without Kafka. */
  readonly lag: readonly { readonly topic: string; readonly messages: number }[];
  readonly spansPerSecond: number | null;
  readonly tracesPerSecond: number | null;
  /** Messages written to the dead-letter topic since start, by reason. */
  readonly deadLetters: {
    readonly total: number;
    readonly byReason: Readonly<Record<string, number>>;
  } | null;
  readonly model: {
    readonly state: string;
    readonly version: string | null;
    readonly trainedAt: string | null;
    readonly ageSeconds: number | null;
    readonly warmUp: {
      readonly samples: number;
      readonly minSamples: number;
      readonly percent: number;
      readonly etaSeconds: number | null;
    } | null;
  };
  /** Alerts detected in the last hour, by type (at least, when `truncated`). */
  readonly alertsLastHour: {
    readonly total: number;
    readonly byType: Readonly<Record<string, number>>;
    readonly truncated: boolean;
  } | null;
  /**
   * Open incidents: how many (at least, when `truncated`) and the newest
   * {@link MAX_INCIDENTS_SHOWN} by opening time; null when they could not be read.
   */
  readonly incidents: {
    readonly open: number;
    readonly truncated: boolean;
    readonly items: readonly {
      readonly id: string;
      readonly type: string;
      readonly service: string;
      readonly severity: string;
      readonly summary: string;
      readonly firstSeen: string | null;
      readonly lastSeen: string | null;
      /** Seconds since first seen, at the time of the status; null without a first-seen time. */
      readonly ageSeconds: number | null;
      /** Seconds since last seen; null without a last-seen time. */
      readonly quietSeconds: number | null;
      readonly traces: number;
    }[];
  } | null;
  /** Alerts waiting in each sink's queue. */
  readonly sinkBacklog: readonly { readonly sink: string; readonly alerts: number }[];
  readonly components: readonly {
    readonly name: string;
    readonly ready: boolean;
    readonly reason?: string;
  }[];
  readonly problems: readonly string[];
}

function rate(m: NonNullable<StatusInputs["metrics"]>, name: string): number | null {
  // A labelled counter has no series until it first counts: nothing counted yet is 0.
  const a = sumOf(m.first, name) ?? 0;
  const b = sumOf(m.second, name) ?? 0;
  if (m.elapsedMs <= 0) return null;
  return Math.max(0, b - a) / (m.elapsedMs / 1000);
}

function byLabel(samples: readonly PromSample[], name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name) continue;
    const key = s.labels[label] ?? "";
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

function secondsSince(iso: string | undefined, nowMs: number): number | null {
  const t = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isFinite(t) ? Math.max(0, (nowMs - t) / 1000) : null;
}

function openIncidents(i: StatusInputs): StatusReport["incidents"] {
  if (i.openIncidents === null) return null;
  const open = i.openIncidents.filter((x) => x.status === undefined || x.status === "open");
  const items = open
    .map((x) => ({
      id: x.id ?? "",
      type: x.type ?? "unknown",
      service: x.service ?? "unknown",
      severity: x.severity ?? "unknown",
      summary: x.summary ?? "",
      firstSeen: x.openedAt ?? null,
      lastSeen: x.lastSeenAt ?? null,
      ageSeconds: secondsSince(x.openedAt, i.nowMs),
      quietSeconds: secondsSince(x.lastSeenAt, i.nowMs),
      traces: x.traceCount ?? 0,
    }))
    .sort((a, b) => (b.firstSeen ?? "").localeCompare(a.firstSeen ?? ""))
    .slice(0, MAX_INCIDENTS_SHOWN);
  return { open: open.length, truncated: i.incidentsTruncated === true, items };
}

/** Builds the status from what was read (pure). */
export function buildStatus(i: StatusInputs): StatusReport {
  const body = i.readyz.body;
  const latest = i.metrics?.second ?? [];
  const model = i.models?.model ?? null;
  const trainedMs = model === null ? Number.NaN : Date.parse(model.trainedAt);
  const warm = body.warmUp;
  const dlq = byLabel(latest, "tracewatch_dlq_messages_total", "reason");
  const alerts = i.alertsLastHour;
  const byType: Record<string, number> = {};
  for (const t of alerts ?? []) byType[t] = (byType[t] ?? 0) + 1;
  return {
    ready: i.readyz.httpStatus === 200 && body.status === "ready",
    sources: body.sources ?? [],
    lag: Object.entries(byLabel(latest, "tracewatch_consumer_lag", "topic")).map(([topic, messages]) => ({
      topic,
      messages,
    })),
    spansPerSecond: i.metrics === null ? null : rate(i.metrics, "tracewatch_spans_received_total"),
    tracesPerSecond: i.metrics === null ? null : rate(i.metrics, "tracewatch_traces_scored_total"),
    deadLetters:
      i.metrics === null ? null : { total: Object.values(dlq).reduce((a, b) => a + b, 0), byReason: dlq },
    model: {
      state: body.model ?? (model === null ? "warming_up" : "loaded"),
      version: model?.version ?? null,
      trainedAt: model?.trainedAt ?? null,
      ageSeconds: Number.isFinite(trainedMs) ? Math.max(0, (i.nowMs - trainedMs) / 1000) : null,
      warmUp:
        warm === undefined
          ? null
          : {
              samples: warm.samples,
              minSamples: warm.minSamples,
              percent: warm.minSamples > 0 ? Math.min(100, (100 * warm.samples) / warm.minSamples) : 100,
              etaSeconds: warm.etaSeconds,
            },
    },
    alertsLastHour:
      alerts === null ? null : { total: alerts.length, byType, truncated: i.alertsTruncated === true },
    incidents: openIncidents(i),
    sinkBacklog: Object.entries(byLabel(latest, "tracewatch_sink_queue_depth", "sink")).map(([sink, n]) => ({
      sink,
      alerts: n,
    })),
    components: body.components ?? [],
    problems: i.problems,
  };
}

function duration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7_200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3_600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

function perSecond(n: number | null): string {
  return n === null ? "unknown" : `${n < 10 ? n.toFixed(1) : Math.round(n)}/s`;
}

function counts(rec: Readonly<Record<string, number>>): string {
  const parts = Object.entries(rec)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`);
  return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
}

function incidentLines(inc: StatusReport["incidents"]): string[] {
  if (inc === null) return ["open incidents: unknown"];
  if (inc.open === 0) return ["open incidents: none"];
  const lines = [`open incidents: ${inc.truncated ? "at least " : ""}${inc.open}`];
  for (const i of inc.items) {
    const when = [
      i.ageSeconds === null ? null : `open ${duration(i.ageSeconds)}`,
      i.quietSeconds === null ? null : `last seen ${duration(i.quietSeconds)} ago`,
    ].filter((x) => x !== null);
    const summary = i.summary === "" ? "" : `: ${i.summary}`;
    lines.push(
      `  ${i.service} ${i.type} (${i.severity}), ${[...when, `${i.traces} traces`].join(", ")}${summary}`,
    );
  }
  const more = inc.open - inc.items.length;
  if (more > 0) lines.push(`  ... ${inc.truncated ? "at least " : ""}${more} more (GET /api/v1/incidents)`);
  return lines;
}

/** The status as a readable block of text. */
export function formatStatus(r: StatusReport, url: string): string {
  const lines: string[] = [`tracewatch at ${url}: ${r.ready ? "READY" : "NOT READY"}`];
  lines.push("sources:");
  if (r.sources.length === 0) lines.push("  (none reported)");
  for (const s of r.sources)
    lines.push(
      `  ${s.name}: ${s.connected ? "connected" : "NOT connected"}${s.detail === undefined ? "" : ` (${s.detail})`}`,
    );
  for (const l of r.lag) lines.push(`  lag ${l.topic}: ${l.messages} messages`);
  lines.push(`throughput: ${perSecond(r.tracesPerSecond)} traces, ${perSecond(r.spansPerSecond)} spans`);
  lines.push(
    `dead letters: ${r.deadLetters === null ? "unknown" : `${r.deadLetters.total} since start${counts(r.deadLetters.byReason)}`}`,
  );
  const m = r.model;
  if (m.version !== null)
    lines.push(
      `model: ${m.state}, version ${m.version}, trained ${m.trainedAt ?? "?"}${m.ageSeconds === null ? "" : ` (${duration(m.ageSeconds)} ago)`}`,
    );
  else lines.push(`model: ${m.state}`);
  if (m.warmUp !== null) {
    const eta = m.warmUp.etaSeconds === null ? "" : `, about ${duration(m.warmUp.etaSeconds)} to go`;
    lines.push(
      `  warm-up: ${m.warmUp.samples}/${m.warmUp.minSamples} samples (${Math.floor(m.warmUp.percent)}%)${eta}`,
    );
  }
  if (r.alertsLastHour !== null)
    lines.push(
      `alerts, last hour: ${r.alertsLastHour.truncated ? "at least " : ""}${r.alertsLastHour.total}${counts(r.alertsLastHour.byType)}`,
    );
  lines.push(...incidentLines(r.incidents));
  lines.push(
    `sink backlog: ${r.sinkBacklog.length === 0 ? "nothing queued yet" : r.sinkBacklog.map((s) => `${s.sink} ${s.alerts}`).join(", ")}`,
  );
  const down = r.components.filter((c) => !c.ready);
  if (down.length > 0) {
    lines.push("not ready:");
    for (const c of down) lines.push(`  ${c.name}${c.reason === undefined ? "" : `: ${c.reason}`}`);
  }
  for (const p of r.problems) lines.push(`note: ${p}`);
  return lines.join("\n") + "\n";
}
