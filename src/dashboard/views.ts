import { esc, get, ms } from "./api.js";
import { loadItem } from "./items.js";
import type { Item, StatusDoc, TraceDoc, TraceSummary } from "./types.js";

const time = (iso: string): string => new Date(iso).toLocaleTimeString();

/** The incidents (or alerts) list, newest first. One string, one DOM write: 1,000 rows stay fast. */
export function renderList(el: HTMLElement, items: readonly Item[]): void {
  if (items.length === 0) {
    el.innerHTML = `<p class="empty">No incidents. Alerts appear here as they fire.</p>`;
    return;
  }
  const rows = items.map(
    (i) =>
      `<tr class="item sev-${esc(i.severity)}${i.open ? " open" : ""}" data-id="${esc(i.id)}">` +
      `<td><span class="sev">${esc(i.severity)}</span></td>` +
      `<td class="when">${esc(time(i.at))}</td>` +
      `<td><a href="#/${i.kind}/${esc(i.id)}" class="summary">${esc(i.summary)}</a></td>` +
      `<td class="svc">${esc(i.service)}</td><td class="num">${i.traceCount}</td></tr>`,
  );
  const kind = items[0]!.kind === "incident" ? "Incidents" : "Alerts";
  el.innerHTML =
    `<table class="list"><thead><tr><th>severity</th><th>last seen</th><th>${kind} (${items.length}, newest first)</th>` +
    `<th>service</th><th>traces</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

export function renderStatus(el: HTMLElement, s: StatusDoc | null): void {
  if (s === null) {
    el.textContent = "";
    return;
  }
  if (s.status === "warming_up") {
    const pct = Math.min(100, Math.round((100 * s.warmUp.samples) / Math.max(1, s.warmUp.required)));
    el.innerHTML =
      `<span class="badge warm">model warming up</span> ${s.warmUp.samples} / ${s.warmUp.required} samples ` +
      `<progress max="100" value="${pct}"></progress> ${pct}%`;
  } else {
    el.innerHTML =
      `<span class="badge ok">model ${esc(s.version)}</span> trained ${esc(s.trainedAt === null ? "-" : new Date(s.trainedAt).toLocaleString())} ` +
      `on ${s.samples ?? "-"} samples`;
  }
}

/** Kept traces as links, newest first. */
export function traceLinks(traces: readonly TraceSummary[]): string {
  if (traces.length === 0) return `<p class="empty">No kept traces.</p>`;
  return (
    `<ul class="traces">` +
    traces
      .map(
        (t) =>
          `<li><a href="#/trace/${esc(t.traceId)}" class="trace-link">${esc(t.traceId.slice(0, 12))}…</a> ` +
          `${esc(t.rootService)} ${esc(t.rootOperation)} · ${ms(t.durationMs)} · ${t.spanCount} spans · ` +
          `${esc(t.alerts.map((a) => a.type).join(", "))}</li>`,
      )
      .join("") +
    `</ul>`
  );
}

/** An incident (or alert): its summary, evidence, the anomaly timeline of its traces and the traces. */
export async function renderDetail(el: HTMLElement, kind: string, id: string): Promise<void> {
  const item = await loadItem(kind, id);
  if (item === null) {
    el.innerHTML = `<p class="empty">${esc(kind)} ${esc(id)} not found.</p>`;
    return;
  }
  const kept =
    (
      await get<{ traces: TraceSummary[] }>(
        `/api/v1/traces?service=${encodeURIComponent(item.service)}&limit=500`,
      )
    )?.traces ?? [];
  const ids = new Set(item.traceIds);
  const mine = kept.filter((t) => ids.has(t.traceId));
  el.innerHTML =
    `<h2 class="detail-summary">${esc(item.summary)}</h2>` +
    `<p><span class="sev sev-${esc(item.severity)}">${esc(item.severity)}</span> ${esc(item.type)} · ${esc(item.service)} · ` +
    `${item.open ? "open" : "resolved"} · ${item.traceCount} traces</p>` +
    (item.description === "" ? "" : `<pre class="description">${esc(item.description)}</pre>`) +
    `<h3>Anomaly timeline</h3>${timeline(mine)}` +
    `<h3>Traces</h3>${traceLinks(mine.length > 0 ? mine : item.traceIds.map((t) => stub(t)))}`;
}

const stub = (traceId: string): TraceSummary => ({
  traceId,
  rootService: "",
  rootOperation: "",
  durationMs: Number.NaN,
  spanCount: 0,
  keptAt: "",
  alerts: [],
});

/** Trace durations over time, one dot per kept trace. */
function timeline(traces: readonly TraceSummary[]): string {
  if (traces.length === 0) return `<p class="empty">No kept traces for the timeline.</p>`;
  const t = traces.map((x) => Date.parse(x.keptAt));
  const t0 = Math.min(...t);
  const t1 = Math.max(...t, t0 + 1000);
  const dMax = Math.max(...traces.map((x) => x.durationMs), 1);
  const dots = traces
    .map((x, i) => {
      const cx = 40 + ((t[i]! - t0) / (t1 - t0)) * 700;
      const cy = 110 - (x.durationMs / dMax) * 100;
      return `<a href="#/trace/${esc(x.traceId)}"><circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="4"><title>${esc(ms(x.durationMs))}</title></circle></a>`;
    })
    .join("");
  return (
    `<svg class="timeline" viewBox="0 0 760 130" width="760" height="130">` +
    `<line x1="40" y1="110" x2="740" y2="110"/><line x1="40" y1="10" x2="40" y2="110"/>` +
    `<text x="0" y="14">${esc(ms(dMax))}</text><text x="40" y="126">${esc(time(new Date(t0).toISOString()))}</text>` +
    `<text x="680" y="126">${esc(time(new Date(t1).toISOString()))}</text>${dots}</svg>`
  );
}

/** The waterfall: a bar per span at its offset, its baseline p50..p99 drawn beside it. */
export async function renderTrace(el: HTMLElement, traceId: string): Promise<void> {
  const t = await get<TraceDoc>(`/api/v1/traces/${encodeURIComponent(traceId)}`);
  if (t === null) {
    el.innerHTML = `<p class="empty">Trace ${esc(traceId)} is not kept (only traces that alerted are, while memory allows).</p>`;
    return;
  }
  const total = Math.max(t.durationMs, 0.001);
  const pct = (x: number): string => `${Math.min(100, Math.max(0, (100 * x) / total)).toFixed(3)}%`;
  const rows = t.waterfall.map((r) => {
    const b = r.baseline;
    const base =
      b === undefined
        ? ""
        : `<div class="baseline" style="left:${pct(r.offsetMs + b.p50Ms)};width:${pct(Math.max(0, b.p99Ms - b.p50Ms))}" title="baseline p50 ${ms(b.p50Ms)}, p99 ${ms(b.p99Ms)}"></div>`;
    const cls = [
      "row",
      r.error ? "error" : "",
      r.critical ? "critical" : "",
      r.culprit ? "culprit" : "",
    ].join(" ");
    return (
      `<div class="${cls}" data-span="${esc(r.spanId)}" data-culprit="${r.culprit}">` +
      `<div class="label" style="padding-left:${r.depth * 14}px"><b>${esc(r.service)}</b> ${esc(r.operation)}</div>` +
      `<div class="lane">${base}<div class="bar" style="left:${pct(r.offsetMs)};width:${pct(Math.max(r.durationMs, total / 500))}"></div></div>` +
      `<div class="dur">${ms(r.durationMs)}</div>` +
      `<div class="base">${b === undefined ? "" : `p50 ${ms(b.p50Ms)} · p99 ${ms(b.p99Ms)}`}${r.excessMs ? ` <span class="excess">+${ms(r.excessMs)}</span>` : ""}</div></div>`
    );
  });
  const breakdown = t.breakdown
    .map(
      (b) =>
        `<tr><td>${esc(b.service)}</td><td class="num">${ms(b.selfMs)}</td><td class="num">${(b.share * 100).toFixed(0)}%</td></tr>`,
    )
    .join("");
  el.innerHTML =
    `<h2>Trace <code>${esc(t.traceId)}</code></h2>` +
    `<p>${ms(t.durationMs)} · ${t.spanCount} spans · started ${esc(new Date(t.startedAt).toLocaleString())} · ` +
    `${esc(t.alerts.map((a) => `${a.type} (${a.severity}) on ${a.culprit ?? a.service}`).join("; "))}</p>` +
    `<p class="legend"><span class="k bar"></span> span <span class="k baseline"></span> baseline p50–p99 ` +
    `<span class="k culprit"></span> culprit <span class="k critical"></span> critical path</p>` +
    `<div class="waterfall">${rows.join("")}</div>` +
    `<h3>Self time by service</h3><table class="breakdown"><tbody>${breakdown}</tbody></table>` +
    `<h3>Critical path</h3><p>${esc(t.criticalPath.map((c) => `${c.service} ${c.operation} (${ms(c.selfMs)})`).join(" → "))}</p>`;
}
