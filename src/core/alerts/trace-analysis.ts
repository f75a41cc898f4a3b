import type { Span } from "../../domain/span.js";
import type { CriticalPathStep, LikelyOrigin } from "./alert.js";

/** What the alert builder learns from the spans of a trace. */
export interface TraceAnalysis {
  readonly root: Span | null;
  readonly likelyOrigin: LikelyOrigin | null;
  readonly originSpan: Span | null;
  /** Spans with self time on the critical path, in time order. */
  readonly criticalPath: readonly CriticalPathStep[];
  readonly slowestService: { readonly service: string; readonly selfTimeMs: number } | null;
  /** The cross-service call with the most time outside the callee's span (network, queueing). */
  readonly slowestCall: SlowestCall | null;
}

/** A caller→callee call and how long it took beyond the callee's own span. */
export interface SlowestCall {
  readonly caller: string;
  readonly callee: string;
  /** The callee's operation. */
  readonly operation: string;
  /** Caller span duration minus the callee span duration, ms. */
  readonly outsideCalleeMs: number;
}

/** Recursion guard: deeper span trees are cut here (their remaining time counts as self time). */
const MAX_DEPTH = 256;

const toMs = (ns: bigint): number => Number(ns) / 1e6;

/** Roots are spans without a parent in the trace; the earliest-starting one is the trace's root. */
function findRoot(spans: readonly Span[], byId: ReadonlyMap<string, Span>): Span | null {
  let root: Span | null = null;
  for (const s of spans) {
    if (s.parentSpanId !== null && byId.has(s.parentSpanId)) continue;
    if (root === null || s.startTimeUnixNano < root.startTimeUnixNano) root = s;
  }
  return root;
}

function childrenOf(spans: readonly Span[]): Map<string, Span[]> {
  const children = new Map<string, Span[]>();
  for (const s of spans) {
    if (s.parentSpanId === null || s.parentSpanId === s.spanId) continue;
    const list = children.get(s.parentSpanId);
    if (list === undefined) children.set(s.parentSpanId, [s]);
    else list.push(s);
  }
  return children;
}

function depthOf(span: Span, byId: ReadonlyMap<string, Span>, memo: Map<string, number>): number {
  const chain: Span[] = [];
  let cur: Span | undefined = span;
  let base = 0;
  while (cur !== undefined) {
    const known = memo.get(cur.spanId);
    if (known !== undefined) {
      base = known + 1;
      break;
    }
    if (chain.length > MAX_DEPTH || chain.includes(cur)) break;
    chain.push(cur);
    cur = cur.parentSpanId === null ? undefined : byId.get(cur.parentSpanId);
  }
  for (let i = chain.length - 1; i >= 0; i -= 1) memo.set(chain[i]!.spanId, base + (chain.length - 1 - i));
  return memo.get(span.spanId) ?? 0;
}

/** The deepest ERROR span; ties go to the one that ended first (the failure seen first). */
function deepestError(
  spans: readonly Span[],
  byId: ReadonlyMap<string, Span>,
): { span: Span; depth: number } | null {
  const memo = new Map<string, number>();
  let best: { span: Span; depth: number } | null = null;
  for (const s of spans) {
    if (s.status !== "ERROR") continue;
    const depth = depthOf(s, byId, memo);
    if (
      best === null ||
      depth > best.depth ||
      (depth === best.depth && s.endTimeUnixNano < best.span.endTimeUnixNano)
    ) {
      best = { span: s, depth };
    }
  }
  return best;
}

/**
 * Critical path by walking back from the end of each span: the child that finished last before the
 * cursor is on the path, the time between children is the span's own. Self times are in ns.
 */
function walkCriticalPath(root: Span, children: ReadonlyMap<string, Span[]>): Map<Span, bigint> {
  const self = new Map<Span, bigint>();
  const visit = (span: Span, endLimit: bigint, depth: number): void => {
    let cursor = span.endTimeUnixNano < endLimit ? span.endTimeUnixNano : endLimit;
    let own = 0n;
    const kids = depth >= MAX_DEPTH ? [] : [...(children.get(span.spanId) ?? [])];
    kids.sort((a, b) =>
      b.endTimeUnixNano > a.endTimeUnixNano ? 1 : b.endTimeUnixNano < a.endTimeUnixNano ? -1 : 0,
    );
    for (const child of kids) {
      if (child.startTimeUnixNano >= cursor || self.has(child)) continue;
      const childEnd = child.endTimeUnixNano < cursor ? child.endTimeUnixNano : cursor;
      if (cursor > childEnd) own += cursor - childEnd;
      visit(child, childEnd, depth + 1);
      cursor =
        child.startTimeUnixNano > span.startTimeUnixNano ? child.startTimeUnixNano : span.startTimeUnixNano;
    }
    if (cursor > span.startTimeUnixNano) own += cursor - span.startTimeUnixNano;
    self.set(span, own);
  };
  visit(root, root.endTimeUnixNano, 0);
  return self;
}

function slowest(self: ReadonlyMap<Span, bigint>): TraceAnalysis["slowestService"] {
  const byService = new Map<string, bigint>();
  for (const [span, ns] of self) byService.set(span.service, (byService.get(span.service) ?? 0n) + ns);
  let best: { service: string; ns: bigint } | null = null;
  for (const [service, ns] of byService) {
    if (best === null || ns > best.ns || (ns === best.ns && service < best.service)) best = { service, ns };
  }
  return best === null ? null : { service: best.service, selfTimeMs: toMs(best.ns) };
}

/**
 * The call whose caller-side span outlasts the callee's span the most: a delay on the network or
 * in a queue between two services shows there, not in either service's own work. Only spans whose
 * single child runs in another service count (a client span around one call), so a server span's
 * own work or fan-out is not misread as waiting.
 */
function slowestCall(spans: readonly Span[], children: ReadonlyMap<string, Span[]>): SlowestCall | null {
  let best: { caller: Span; callee: Span; ns: bigint } | null = null;
  for (const caller of spans) {
    const kids = children.get(caller.spanId);
    const callee = kids?.length === 1 ? kids[0]! : undefined;
    if (callee === undefined || callee.service === caller.service) continue;
    const ns =
      caller.endTimeUnixNano - caller.startTimeUnixNano - (callee.endTimeUnixNano - callee.startTimeUnixNano);
    if (ns > 0n && (best === null || ns > best.ns)) best = { caller, callee, ns };
  }
  return best === null
    ? null
    : {
        caller: best.caller.service,
        callee: best.callee.service,
        operation: best.callee.name,
        outsideCalleeMs: toMs(best.ns),
      };
}

/** Analyses a trace's spans for alert evidence. Pure; O(n log n) in the number of spans. */
export function analyseTrace(spans: readonly Span[]): TraceAnalysis {
  const byId = new Map<string, Span>();
  for (const s of spans) byId.set(s.spanId, s);
  const root = findRoot(spans, byId);
  const origin = deepestError(spans, byId);
  const children = childrenOf(spans);
  const self = root === null ? new Map<Span, bigint>() : walkCriticalPath(root, children);
  const steps = [...self]
    .filter(([, ns]) => ns > 0n)
    .sort(([a], [b]) =>
      a.startTimeUnixNano < b.startTimeUnixNano ? -1 : a.startTimeUnixNano > b.startTimeUnixNano ? 1 : 0,
    )
    .map(([s, ns]) => ({ service: s.service, operation: s.name, spanId: s.spanId, selfTimeMs: toMs(ns) }));
  return {
    root,
    originSpan: origin?.span ?? null,
    likelyOrigin:
      origin === null
        ? null
        : {
            service: origin.span.service,
            operation: origin.span.name,
            spanId: origin.span.spanId,
            depth: origin.depth,
          },
    criticalPath: steps,
    slowestService: slowest(self),
    slowestCall: slowestCall(spans, children),
  };
}
