import { readdirSync } from "node:fs";
import { join } from "node:path";
import {
  AMBIGUOUS_BEFORE_MS,
  loadTrainTicketFaults,
  loadTrainTicketTraces,
  type TrainTicketFault,
  type TrainTicketTrace,
} from "./trainticket.js";
import { datasetDir } from "./location.js";

/**
 * The OnlineBoutique split of the Nezha recordings (`../shared/datasets/onlineboutique-nezha`):
 * the same span CSV columns, fault list and per-trace label rule as the TrainTicket split
 * (src/datasets/trainticket.ts), minute files gzipped, and its one fault-free minute recorded
 * *after* the faults. Replayed first (the warm-up), that minute would make event time run
 * backwards, which a detector on event time cannot follow; it is therefore moved, whole minutes at
 * a time, to end before the first fault's ambiguous minute (see {@link normalShiftMs}).
 */

/** Fault kinds that change latency; the rest (`return`, `exception`) are code-level faults. */
export const LATENCY_FAULT_KINDS: readonly string[] = ["network_delay", "cpu_contention", "cpu_consumed"];
export const CODE_LEVEL_FAULT_KINDS: readonly string[] = ["return", "exception"];

const MINUTE_MS = 60_000;

/**
 * Directory of the OnlineBoutique split: `env.TRACEWATCH_ONLINEBOUTIQUE_DIR` when set, else
 * `../shared/datasets/onlineboutique-nezha` relative to the project root.
 */
export function onlineBoutiqueDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return datasetDir("TRACEWATCH_ONLINEBOUTIQUE_DIR", "onlineboutique-nezha", env);
}

const isSpanCsv = (name: string): boolean => name.endsWith(".csv") || name.endsWith(".csv.gz");
const spanFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter(isSpanCsv)
    .sort()
    .map((n) => join(dir, n));

/**
 * How far to move the fault-free traces (ms, negative = earlier): by whole minutes, so that they
 * end before the first minute that matters to the labels: the earliest fault trace, or the
 * ambiguous minute before the first injection, whichever comes first (the OnlineBoutique
 * split's 17:00 minute becomes 11:59: the first injection is at 12:01:25). 0 when they already
 * end before it. Arguments are the traces' start times (ms) and the faults.
 */
export function normalShiftMs(
  normalStartMs: readonly number[],
  faultyStartMs: readonly number[],
  faults: readonly TrainTicketFault[],
): number {
  if (normalStartMs.length === 0) return 0;
  const min = (xs: readonly number[]): number => xs.reduce((a, b) => Math.min(a, b), Infinity);
  const firstNormal = min(normalStartMs);
  const lastNormal = normalStartMs.reduce((a, b) => Math.max(a, b), -Infinity);
  const limit = Math.min(min(faultyStartMs), min(faults.map((f) => f.injectMs - AMBIGUOUS_BEFORE_MS)));
  if (!Number.isFinite(limit) || lastNormal < limit) return 0;
  // The normal minutes, as whole minutes, end where the limit's minute starts.
  const normalMinutes = Math.floor(lastNormal / MINUTE_MS) - Math.floor(firstNormal / MINUTE_MS) + 1;
  const targetStart = (Math.floor(limit / MINUTE_MS) - normalMinutes) * MINUTE_MS;
  return targetStart - Math.floor(firstNormal / MINUTE_MS) * MINUTE_MS;
}

/** The OnlineBoutique split loaded once: span files in replay order, whole traces and faults. */
export interface OnlineBoutiqueDataset {
  readonly dir: string;
  /** The fault-free minute(s) first, then the fault minutes by name (time). */
  readonly files: readonly string[];
  /** Sorted by trace start, the fault-free traces moved by `normalShiftMs`. */
  readonly traces: readonly TrainTicketTrace[];
  readonly faults: readonly TrainTicketFault[];
  /** The shift applied to the fault-free minute's spans, ms (negative: earlier). */
  readonly normalShiftMs: number;
  /** Fault-free traces (all start before the first fault trace once shifted). */
  readonly normalTraces: number;
}

/** A trace moved by `shiftMs` of event time, every span with it. */
export function shiftTrace(t: TrainTicketTrace, shiftMs: number): TrainTicketTrace {
  if (shiftMs === 0) return t;
  const ns = BigInt(shiftMs) * 1_000_000n;
  const spans = t.trace.spans.map((s) => ({
    ...s,
    startTimeUnixNano: s.startTimeUnixNano + ns,
    endTimeUnixNano: s.endTimeUnixNano + ns,
  }));
  return {
    trace: { ...t.trace, spans, completedAtMs: t.trace.completedAtMs + shiftMs },
    pods: t.pods,
    startMs: t.startMs + shiftMs,
  };
}

/**
 * Reads the split in `dir` (`normal/`, `trace/`, `labels/faults.json`; `.csv` or `.csv.gz`):
 * whole traces assembled across minute files, the fault-free minute moved before the faults
 * (by {@link normalShiftMs}), then all sorted by start.
 */
export function loadOnlineBoutiqueDataset(dir: string): OnlineBoutiqueDataset {
  const normalFiles = spanFiles(join(dir, "normal"));
  const faultFiles = spanFiles(join(dir, "trace"));
  const faults = loadTrainTicketFaults(dir);
  const normal = loadTrainTicketTraces(normalFiles);
  const faulty = loadTrainTicketTraces(faultFiles);
  const shift = normalShiftMs(
    normal.map((t) => t.startMs),
    faulty.map((t) => t.startMs),
    faults,
  );
  // Shifted, the fault-free traces all start before the first fault trace: appending keeps the order.
  const traces = [...normal.map((t) => shiftTrace(t, shift)), ...faulty];
  return {
    dir,
    files: [...normalFiles, ...faultFiles],
    traces,
    faults,
    normalShiftMs: shift,
    normalTraces: normal.length,
  };
}
