import type { Span } from "../../domain/span.js";
import { spanGraph, SpanRole, type SpanGraph } from "../features/span-graph.js";
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

const toMs = (ns: bigint): number => Number(ns) / 1e6;

/**
 * Roots are spans without a parent in the trace (parentless, orphans, a cut parent cycle); the
 * earliest-starting one is the trace's root.
 */
function findRoot(spans: readonly Span[], graph: SpanGraph): Span | null {
  let root: Span | null = null;
  for (let i = 0; i < spans.length; i++) {
    if (graph.parentOf[i] !== -1 || graph.roles[i] === SpanRole.Duplicate) continue;
    const s = spans[i]!;
    if (root === null || s.startTimeUnixNano < root.startTimeUnixNano) root = s;
  }
  return root;
}

function childrenOf(spans: readonly Span[], graph: SpanGraph): Map<string, Span[]> {
  const children = new Map<string, Span[]>();
  for (let i = 0; i < spans.length; i++) {
    const p = graph.parentOf[i]!;
    if (p < 0) continue;
    const parentId = spans[p]!.spanId;
    const list = children.get(parentId);
    if (list === undefined) children.set(parentId, [spans[i]!]);
    else list.push(spans[i]!);
  }
  return children;
}

/** Depth of every span (roots 0), iteratively: the graph is a forest, so every chain ends. */
function depths(graph: SpanGraph): Int32Array {
  const parentOf = graph.parentOf;
  const depth = new Int32Array(parentOf.length).fill(-1);
  const chain: number[] = [];
  for (let i = 0; i < parentOf.length; i++) {
    let cur = i;
    while (cur >= 0 && depth[cur] === -1) {
      chain.push(cur);
      cur = parentOf[cur]!;
    }
    let d = cur >= 0 ? depth[cur]! : -1;
    while (chain.length > 0) depth[chain.pop()!] = ++d;
  }
  return depth;
}

/** The deepest ERROR span; ties go to the one that ended first (the failure seen first). */
function deepestError(spans: readonly Span[], graph: SpanGraph): { span: Span; depth: number } | null {
  let depth: Int32Array | undefined;
  let best: { span: Span; depth: number } | null = null;
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    if (s.status !== "ERROR" || graph.roles[i] === SpanRole.Duplicate) continue;
    depth ??= depths(graph);
    const d = depth[i]!;
    if (
      best === null ||
      d > best.depth ||
      (d === best.depth && s.endTimeUnixNano < best.span.endTimeUnixNano)
    ) {
      best = { span: s, depth: d };
    }
  }
  return best;
}

/** A span being walked by {@link walkCriticalPath}: its children by end, latest first, and where it is. */
interface Frame {
  readonly span: Span;
  readonly kids: readonly Span[];
  next: number;
  cursor: bigint;
  own: bigint;
}

const byEndDesc = (a: Span, b: Span): number =>
  b.endTimeUnixNano > a.endTimeUnixNano ? 1 : b.endTimeUnixNano < a.endTimeUnixNano ? -1 : 0;

/**
 * Critical path by walking back from the end of each span: the child that finished last before the
 * cursor is on the path, the time between children is the span's own. Self times are in ns. Walked
 * depth-first with an explicit stack, so a span tree of any depth is followed to its leaves.
 */
function walkCriticalPath(root: Span, children: ReadonlyMap<string, Span[]>): Map<Span, bigint> {
  const self = new Map<Span, bigint>();
  const open = (span: Span, endLimit: bigint): Frame => ({
    span,
    kids: [...(children.get(span.spanId) ?? [])].sort(byEndDesc),
    next: 0,
    cursor: span.endTimeUnixNano < endLimit ? span.endTimeUnixNano : endLimit,
    own: 0n,
  });
  const stack: Frame[] = [open(root, root.endTimeUnixNano)];
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    const child = nextOnPath(f, self);
    if (child !== null) {
      const childEnd = child.endTimeUnixNano < f.cursor ? child.endTimeUnixNano : f.cursor;
      if (f.cursor > childEnd) f.own += f.cursor - childEnd;
      const start = f.span.startTimeUnixNano;
      f.cursor = child.startTimeUnixNano > start ? child.startTimeUnixNano : start;
      stack.push(open(child, childEnd));
      continue;
    }
    if (f.cursor > f.span.startTimeUnixNano) f.own += f.cursor - f.span.startTimeUnixNano;
    self.set(f.span, f.own);
    stack.pop();
  }
  return self;
}

/** The next child of `f` that ran before its cursor and is not walked yet, or null. */
function nextOnPath(f: Frame, walked: ReadonlyMap<Span, bigint>): Span | null {
  while (f.next < f.kids.length) {
    const child = f.kids[f.next++]!;
    if (child.startTimeUnixNano < f.cursor && !walked.has(child)) return child;
  }
  return null;
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
  const graph = spanGraph(spans);
  const root = findRoot(spans, graph);
  const origin = deepestError(spans, graph);
  const children = childrenOf(spans, graph);
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
