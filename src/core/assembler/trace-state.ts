import type { Span } from "../../domain/span.js";
import type { ActivityNode } from "./activity-list.js";
import type { AckToken } from "./types.js";
import { StringTable } from "../string-table.js";

/** Estimated heap bytes of one buffered span without attributes (object, ids, two bigints). */
export const SPAN_BASE_BYTES = 240;
/**
 * Estimated heap bytes of one open trace besides its spans (state object, map entry and id key,
 * spans array, activity-list node, completion bookkeeping). Measured: 76,260 open one-span traces
 * take about 550 bytes each (test/unit/core/assembler/flood.test.ts), so 240 + 320.
 */
export const TRACE_BASE_BYTES = 320;

/** Estimated heap bytes of a span, attributes included (keys are interned, values are not). */
export function estimateSpanBytes(span: Span): number {
  let bytes = SPAN_BASE_BYTES;
  const attrs = span.attributes;
  for (const key in attrs) {
    const v = attrs[key];
    bytes += 32 + (typeof v === "string" ? 16 + v.length : Array.isArray(v) ? 32 + 16 * v.length : 0);
  }
  return bytes;
}

const EMPTY: Span[] = [];

/** Above this many spans a trace tracks its span ids in a Set instead of scanning. */
const SCAN_LIMIT = 32;

/** One open trace. */
export class TraceState implements ActivityNode {
  prev: TraceState | null = null;
  next: TraceState | null = null;
  /** Starts as a one-element literal: pushing onto `[]` would reserve 16 slots per trace. */
  spans: Span[] = EMPTY;
  tokens: AckToken[] | null = null;
  /** Active time (clock minus frozen time) of the last span. */
  lastSeenMs: number;
  bytes = TRACE_BASE_BYTES;
  hasRoot = false;
  /** Root completion is due at this time (-1: not scheduled). */
  rootDeadlineMs = -1;
  open = true;
  /** Active time of its first completion (-1: never completed). Re-opening is bounded from it. */
  firstCompletedMs = -1;
  /** Spans handed to the processor by its earlier completions (the first ones of `spans`). */
  scoredSpans = 0;
  /** When it was kept after completion (-1: not kept); see `KeptTraces`. */
  keptAtMs = -1;
  private ids: Set<string> | null = null;

  constructor(
    readonly traceId: string,
    nowMs: number,
  ) {
    this.lastSeenMs = nowMs;
  }

  has(spanId: string): boolean {
    if (this.ids !== null) return this.ids.has(spanId);
    const spans = this.spans;
    for (let i = 0; i < spans.length; i++) if (spans[i]!.spanId === spanId) return true;
    return false;
  }

  push(span: Span): void {
    if (this.spans === EMPTY) this.spans = [span];
    else this.spans.push(span);
    if (this.ids !== null) this.ids.add(span.spanId);
    else if (this.spans.length > SCAN_LIMIT) this.ids = new Set(this.spans.map((s) => s.spanId));
    if (span.parentSpanId === null) this.hasRoot = true;
    this.bytes += estimateSpanBytes(span);
  }

  /**
   * Opens a completed trace again for a late span. Its spans are copied: the processor may still
   * hold the array it was given. Tokens start afresh, those of its completion are the processor's.
   */
  reopen(nowMs: number): void {
    this.scoredSpans = this.spans.length;
    this.spans = this.spans.slice();
    this.tokens = null;
    this.rootDeadlineMs = -1;
    this.lastSeenMs = nowMs;
    this.open = true;
  }

  /** Takes a hold on `token` the first time this trace sees it. */
  attach(token: AckToken): void {
    if (this.tokens === null) this.tokens = [token];
    else if (this.tokens[this.tokens.length - 1] !== token && !this.tokens.includes(token))
      this.tokens.push(token);
    else return;
    token.hold();
  }

  /** True when some span names a parent that has not arrived. */
  hasMissingParent(): boolean {
    const spans = this.spans;
    if (this.ids !== null) {
      for (const span of spans)
        if (span.parentSpanId !== null && !this.ids.has(span.parentSpanId)) return true;
      return false;
    }
    const n = spans.length;
    if (n >= INDEX_FROM) return missingParentIndexed(spans);
    // Exporters mostly send a child before its parent (it ends first), often right before it: the
    // search for span i's parent starts at span i + 1 and wraps around, over all spans as `has`.
    for (let i = 0; i < n; i++) {
      const parent = spans[i]!.parentSpanId;
      if (parent === null) continue;
      let found = false;
      for (let j = i + 1; j < n; j++) {
        if (spans[j]!.spanId === parent) {
          found = true;
          break;
        }
      }
      if (!found) {
        for (let j = 0; j <= i; j++) {
          if (spans[j]!.spanId === parent) {
            found = true;
            break;
          }
        }
      }
      if (!found) return true;
    }
    return false;
  }
}

/**
 * Spans from which a trace without its own id set looks its parents up in a table: a scan
 * compares id strings, character by character when they come from different messages, about
 * n²/4 times for a parent with many children.
 */
const INDEX_FROM = 8;
/** The span ids of the trace being checked, reused for every check (checks are synchronous). */
const SPAN_IDS = new StringTable();

function missingParentIndexed(spans: readonly Span[]): boolean {
  const n = spans.length;
  SPAN_IDS.reset(n);
  for (let i = 0; i < n; i++) SPAN_IDS.add(spans[i]!.spanId, i);
  let missing = false;
  for (let i = 0; i < n && !missing; i++) {
    const parent = spans[i]!.parentSpanId;
    missing = parent !== null && SPAN_IDS.find(parent) < 0;
  }
  SPAN_IDS.release();
  return missing;
}
