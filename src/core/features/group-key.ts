import { JoinedKeys } from "./joined-keys.js";
import type { Span } from "../../domain/span.js";

/**
 * How traces are grouped for per-request-type baselines:
 * - `root`: root service and operation (on a gateway-fronted system every trace shares one key);
 * - `entry`: root plus the first service the root's service calls (earliest such call) and its
 *   operation: the endpoint the request was routed to;
 * - `entry_ops`: root plus the sorted set of every operation the root's service calls directly;
 * - `services`: root plus the sorted set of services the trace touches;
 * - `shape`: `entry` plus a hash of the sorted set of service-crossing endpoints (service and
 *   operation of every span whose parent runs in another service): a structural call-tree signature.
 */
export type GroupKeyStrategy = "root" | "entry" | "entry_ops" | "services" | "shape";

export const GROUP_KEY_STRATEGIES: readonly GroupKeyStrategy[] = [
  "root",
  "entry",
  "entry_ops",
  "services",
  "shape",
];

/** What {@link groupKeyOf} needs from a trace: its spans, parent indexes (-1: none) and root. */
export interface TraceShape {
  readonly spans: readonly Span[];
  readonly parentOf: Int32Array;
  readonly rootIdx: number;
}

/** The grouping key of a trace under `strategy`. */
export function groupKeyOf(t: TraceShape, strategy: GroupKeyStrategy): string {
  const root = t.spans[t.rootIdx] as Span;
  const rootKey = joined(root.service, root.name, " ");
  switch (strategy) {
    case "root":
      return rootKey;
    case "entry":
      return entryKey(t, rootKey);
    case "entry_ops":
      return `${rootKey} > ${[...firstHopCalls(t)].sort().join(" | ")}`;
    case "services":
      return `${rootKey} [${distinctServices(t.spans).join(",")}]`;
    case "shape":
      return `${entryKey(t, rootKey)} #${fnv1a(crossingEndpoints(t).join("\n"))}`;
  }
}

function entryKey(t: TraceShape, rootKey: string): string {
  const root = t.spans[t.rootIdx] as Span;
  let best: Span | undefined;
  for (let i = 0; i < t.spans.length; i++) {
    const p = t.parentOf[i] as number;
    if (p < 0) continue;
    const s = t.spans[i] as Span;
    if (s.service === root.service || (t.spans[p] as Span).service !== root.service) continue;
    if (best === undefined || s.startTimeUnixNano < best.startTimeUnixNano) best = s;
  }
  return best === undefined ? rootKey : joined(rootKey, joined(best.service, best.name, " "), " > ");
}

/** Type keys: "service name" pairs, and "root > entry" keys. */
const PAIRS = new JoinedKeys(" ");
const ENTRIES = new JoinedKeys(" > ");

function joined(a: string, b: string, separator: " " | " > "): string {
  return (separator === " " ? PAIRS : ENTRIES).get(a, b);
}

function firstHopCalls(t: TraceShape): Set<string> {
  const root = t.spans[t.rootIdx] as Span;
  const out = new Set<string>();
  for (let i = 0; i < t.spans.length; i++) {
    const p = t.parentOf[i] as number;
    if (p < 0) continue;
    const s = t.spans[i] as Span;
    if (s.service !== root.service && (t.spans[p] as Span).service === root.service)
      out.add(`${s.service} ${s.name}`);
  }
  return out;
}

function distinctServices(spans: readonly Span[]): string[] {
  const set = new Set<string>();
  for (const s of spans) set.add(s.service);
  return [...set].sort();
}

function crossingEndpoints(t: TraceShape): string[] {
  const set = new Set<string>();
  for (let i = 0; i < t.spans.length; i++) {
    const p = t.parentOf[i] as number;
    if (p < 0) continue;
    const s = t.spans[i] as Span;
    if ((t.spans[p] as Span).service !== s.service) set.add(`${s.service} ${s.name}`);
  }
  return [...set].sort();
}

/** 32-bit FNV-1a of a string, as 8 hex characters: short, stable, no crypto import in the core. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}
