import { forceCenter, forceCollide, forceLink, forceManyBody, forceSimulation, type SimNode } from "d3-force";
import { esc, get, ms } from "./api.js";
import { traceLinks } from "./views.js";
import type { MapNode, ServiceMapDoc, TraceSummary } from "./types.js";

interface Placed extends SimNode, MapNode {}
const W = 900;
const H = 520;
const SVG = "http://www.w3.org/2000/svg";

/** Lays the map out with d3-force (run to rest at once, then drawn), nodes by health. */
export async function renderMap(
  el: HTMLElement,
  culprits: ReadonlySet<string>,
  windowText: string,
): Promise<void> {
  const map = await get<ServiceMapDoc>(`/api/v1/service-map?window=${encodeURIComponent(windowText)}`);
  if (map === null) return;
  if (map.nodes.length === 0) {
    el.innerHTML = `<p class="empty">No traffic in the last ${esc(windowText)}.</p>`;
    return;
  }
  const nodes: Placed[] = map.nodes.map((n) => ({ ...n }));
  const links = map.edges.map((e) => ({ ...e }));
  forceSimulation(nodes)
    .force(
      "link",
      forceLink<Placed, (typeof links)[number]>(links)
        .id((n) => n.id)
        .distance(110),
    )
    .force("charge", forceManyBody().strength(-500))
    .force("center", forceCenter(W / 2, H / 2))
    .force("collide", forceCollide(40))
    .stop()
    .tick(300);
  const at = new Map(nodes.map((n) => [n.id, n]));
  const maxRate = Math.max(...nodes.map((n) => n.requestRate), 0.001);
  const maxReq = Math.max(...map.edges.map((e) => e.requests), 1);
  const clampX = (x: number | undefined) => Math.min(W - 40, Math.max(40, x ?? W / 2));
  const clampY = (y: number | undefined) => Math.min(H - 30, Math.max(30, y ?? H / 2));
  const edges = map.edges
    .map((e) => {
      const a = at.get(e.source)!;
      const b = at.get(e.target)!;
      const cls = ["edge", e.isNew === true ? "new" : "", e.errorRate > 0.05 ? "failing" : ""].join(" ");
      return (
        `<line class="${cls}" data-edge="${esc(e.source)}->${esc(e.target)}" x1="${clampX(a.x)}" y1="${clampY(a.y)}" x2="${clampX(b.x)}" y2="${clampY(b.y)}" ` +
        `stroke-width="${(1 + 5 * Math.sqrt(e.requests / maxReq)).toFixed(1)}" marker-end="url(#arrow)">` +
        `<title>${esc(e.source)} → ${esc(e.target)}: ${e.requests} requests, avg ${ms(e.avgLatencyMs)}, p95 ${ms(e.p95LatencyMs)}, ` +
        `errors ${(e.errorRate * 100).toFixed(1)}%${e.isNew === true ? ", new edge" : ""}</title></line>`
      );
    })
    .join("");
  const circles = nodes
    .map((n) => {
      const culprit = culprits.has(n.id) || n.incidents.length > 0;
      const r = 14 + 16 * Math.sqrt(n.requestRate / maxRate);
      return (
        `<g class="node ${n.health}${culprit ? " culprit" : ""}${n.criticalPath ? " on-path" : ""}" data-node="${esc(n.id)}" data-culprit="${culprit}" ` +
        `transform="translate(${clampX(n.x).toFixed(1)},${clampY(n.y).toFixed(1)})">` +
        `<circle r="${r.toFixed(1)}"></circle><text y="${(r + 14).toFixed(0)}">${esc(n.id)}</text>` +
        `<title>${esc(n.id)}: ${n.requestRate} req/s, errors ${(n.errorRate * 100).toFixed(1)}% (${n.health}), ` +
        `p50 ${ms(n.p50Ms)} p95 ${ms(n.p95Ms)} p99 ${ms(n.p99Ms)}, in ${n.inDegree} out ${n.outDegree}, ` +
        `betweenness ${n.betweenness}${n.criticalPath ? ", on the critical path" : ""}` +
        `${n.incidents.map((i) => `\n${i.summary}`).join("")}</title></g>`
      );
    })
    .join("");
  el.innerHTML =
    `<svg xmlns="${SVG}" class="map" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="28" refY="5" markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto-start-reverse">` +
    `<path d="M 0 0 L 10 5 L 0 10 z"></path></marker></defs>${edges}${circles}</svg>` +
    `<p class="legend"><span class="k healthy"></span> healthy &lt; 1% <span class="k warning"></span> warning 1–5% ` +
    `<span class="k critical-h"></span> critical &gt; 5% <span class="k culprit"></span> culprit <span class="k new"></span> new edge · ` +
    `critical path: ${esc(map.criticalPath.join(" → ") || "-")}</p><div id="drill"></div>`;
  const drill = el.querySelector<HTMLElement>("#drill")!;
  const show = async (title: string, query: string) => {
    const list = (await get<{ traces: TraceSummary[] }>(`/api/v1/traces?${query}&limit=50`))?.traces ?? [];
    drill.innerHTML = `<h3>Kept traces: ${esc(title)}</h3>${traceLinks(list)}`;
  };
  el.querySelectorAll<SVGGElement>("g.node").forEach((g) =>
    g.addEventListener(
      "click",
      () => void show(g.dataset.node!, `service=${encodeURIComponent(g.dataset.node!)}`),
    ),
  );
  el.querySelectorAll<SVGLineElement>("line.edge").forEach((l) =>
    l.addEventListener(
      "click",
      () => void show(l.dataset.edge!, `edge=${encodeURIComponent(l.dataset.edge!)}`),
    ),
  );
}
