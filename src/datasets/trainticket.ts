import { readFileSync, readdirSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import type { Span } from "../domain/span.js";
import { NO_ATTRIBUTES } from "../domain/span.js";
import type { CompletedTrace } from "../domain/trace.js";
import { TracewatchError } from "../errors.js";
import { datasetDir } from "./location.js";

/** One injected fault of the TrainTicket recording (`labels/faults.json`). */
export interface TrainTicketFault {
  /** Injection time, Unix ms. */
  readonly injectMs: number;
  /** Kubernetes pod the fault was injected into. */
  readonly injectPod: string;
  readonly service: string;
  readonly injectType: string;
  /** Fault duration, ms. */
  readonly durationMs: number;
}

/** A loaded trace with the pods its spans ran in (the label rule needs pods, spans keep services). */
export interface TrainTicketTrace {
  readonly trace: CompletedTrace;
  readonly pods: ReadonlySet<string>;
  /** Earliest span start, Unix ms. */
  readonly startMs: number;
}

/**
 * Per-trace label: `anomalous` (starts inside a fault window and touches the faulty pod),
 * `normal` (outside every fault window), `window_other` (inside a fault window, never touches the
 * faulty pod: reported apart, counted neither way), `ambiguous` (starts in the minute before an
 * injection and touches the pod about to be faulted: the READMEs leave these out of both classes).
 */
export type TrainTicketLabel = "anomalous" | "normal" | "window_other" | "ambiguous";

/** Length of the span before an injection whose traces touching the faulty pod are ambiguous, ms. */
export const AMBIGUOUS_BEFORE_MS = 60_000;

/**
 * Directory of the TrainTicket development split: `env.TRACEWATCH_DATASET_DIR` when set, else
 * `../shared/datasets/trainticket-nezha` relative to the project root.
 */
export function trainTicketDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return datasetDir("TRACEWATCH_DATASET_DIR", "trainticket-nezha", env);
}

/** Service of a pod: the pod name without its last two `-` parts (replica set hash, pod suffix). */
export function serviceOfPod(pod: string): string {
  const parts = pod.split("-");
  return parts.length > 2 ? parts.slice(0, -2).join("-") : pod;
}

const HEADER = "TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration";

interface RawSpan {
  readonly span: Span;
  readonly pod: string;
}

/** The header line every span CSV starts with. */
export const TRAINTICKET_CSV_HEADER = HEADER;

/** Parses one span CSV file; throws TW_DECODE_FAILED naming the file and line on a malformed row. */
export function parseTrainTicketCsv(text: string, name: string): RawSpan[] {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== HEADER) {
    throw new TracewatchError("TW_DECODE_FAILED", `${name}: unexpected header`);
  }
  const out: RawSpan[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === undefined || line === "") continue;
    out.push(parseTrainTicketRow(line, name, i + 1));
  }
  return out;
}

/** Parses one data row (`lineNo` 1-based, for the error); throws TW_DECODE_FAILED when malformed. */
export function parseTrainTicketRow(line: string, name: string, lineNo: number): RawSpan {
  const f = line.split(",");
  if (f.length !== 8) throw new TracewatchError("TW_DECODE_FAILED", `${name}:${lineNo}: expected 8 columns`);
  const [traceId, spanId, parent, pod, op, start, end] = f as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    pod,
    span: {
      traceId: traceId.toLowerCase(),
      spanId: spanId.toLowerCase(),
      parentSpanId: parent === "root" ? null : parent.toLowerCase(),
      service: serviceOfPod(pod),
      name: op,
      kind: "UNSPECIFIED",
      startTimeUnixNano: BigInt(start),
      endTimeUnixNano: BigInt(end),
      status: "UNSET",
      attributes: NO_ATTRIBUTES,
    },
  };
}

/** Loads the fault list of the split. */
export function loadTrainTicketFaults(dir: string): TrainTicketFault[] {
  const raw = JSON.parse(readFileSync(join(dir, "labels", "faults.json"), "utf8")) as Array<
    Record<string, unknown>
  >;
  return raw.map((f) => ({
    injectMs: Date.parse(String(f["inject_time_utc"])),
    injectPod: String(f["inject_pod"]),
    service: String(f["service"]),
    injectType: String(f["inject_type"]),
    durationMs: Number(f["duration_s"]) * 1000,
  }));
}

const isSpanCsv = (name: string): boolean => name.endsWith(".csv") || name.endsWith(".csv.gz");

/** A span CSV's text; `.csv.gz` files are gunzipped. */
function readSpanCsv(file: string): string {
  const bytes = readFileSync(file);
  return (file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
}

/** The split's span files (`.csv` or `.csv.gz`) in replay order: the fault-free minute first, then fault files by name (time). */
export function trainTicketFiles(dir: string): string[] {
  const normal = readdirSync(join(dir, "normal"))
    .filter(isSpanCsv)
    .sort()
    .map((n) => join(dir, "normal", n));
  const faults = readdirSync(join(dir, "trace"))
    .filter(isSpanCsv)
    .sort()
    .map((n) => join(dir, "trace", n));
  return [...normal, ...faults];
}

/**
 * Loads span files into whole traces, de-duplicated on (traceId, spanId), sorted by trace start.
 * Traces are assembled across files, since a few straddle two minute files.
 */
export function loadTrainTicketTraces(files: readonly string[]): TrainTicketTrace[] {
  const byTrace = new Map<string, { spans: Map<string, Span>; pods: Set<string> }>();
  for (const file of files) {
    for (const { span, pod } of parseTrainTicketCsv(readSpanCsv(file), file)) {
      let entry = byTrace.get(span.traceId);
      if (entry === undefined) {
        entry = { spans: new Map(), pods: new Set() };
        byTrace.set(span.traceId, entry);
      }
      if (!entry.spans.has(span.spanId)) entry.spans.set(span.spanId, span);
      entry.pods.add(pod);
    }
  }
  const traces: TrainTicketTrace[] = [];
  for (const [traceId, { spans, pods }] of byTrace) {
    const list = [...spans.values()];
    let minStart = list[0]?.startTimeUnixNano ?? 0n;
    let maxEnd = list[0]?.endTimeUnixNano ?? 0n;
    for (const s of list) {
      if (s.startTimeUnixNano < minStart) minStart = s.startTimeUnixNano;
      if (s.endTimeUnixNano > maxEnd) maxEnd = s.endTimeUnixNano;
    }
    const startMs = Number(minStart / 1_000_000n);
    const completedAtMs = Number(maxEnd / 1_000_000n);
    traces.push({ trace: { traceId, spans: list, reason: "flush", completedAtMs }, pods, startMs });
  }
  return traces.sort((a, b) => a.startMs - b.startMs || (a.trace.traceId < b.trace.traceId ? -1 : 1));
}

/** Index of the fault whose window `[inject, inject + duration)` holds `startMs`, or -1. */
export function faultIndexAt(startMs: number, faults: readonly TrainTicketFault[]): number {
  return faults.findIndex((f) => startMs >= f.injectMs && startMs < f.injectMs + f.durationMs);
}

/** A trace's label and the fault it belongs to (-1 for `normal`). */
export interface TrainTicketLabelled {
  readonly label: TrainTicketLabel;
  /** Index in the fault list: the window holding the trace, or the injection it precedes (`ambiguous`). */
  readonly faultIndex: number;
}

/**
 * Applies the READMEs' per-trace label rule: in a fault window, `anomalous` when the trace touches
 * the faulty pod, else `window_other`; in the {@link AMBIGUOUS_BEFORE_MS} before an injection and
 * touching the pod about to be faulted, `ambiguous`; otherwise `normal`.
 */
export function labelTrainTicketFault(
  t: TrainTicketTrace,
  faults: readonly TrainTicketFault[],
): TrainTicketLabelled {
  const i = faultIndexAt(t.startMs, faults);
  const inWindow = faults[i];
  if (inWindow !== undefined) {
    return { label: t.pods.has(inWindow.injectPod) ? "anomalous" : "window_other", faultIndex: i };
  }
  const next = faults.findIndex(
    (f) => t.startMs >= f.injectMs - AMBIGUOUS_BEFORE_MS && t.startMs < f.injectMs && t.pods.has(f.injectPod),
  );
  return next >= 0 ? { label: "ambiguous", faultIndex: next } : { label: "normal", faultIndex: -1 };
}

/** The label of {@link labelTrainTicketFault}. */
export function labelTrainTicketTrace(
  t: TrainTicketTrace,
  faults: readonly TrainTicketFault[],
): TrainTicketLabel {
  return labelTrainTicketFault(t, faults).label;
}

/** A development split loaded once: its span files in replay order, whole traces and faults. */
export interface TrainTicketDataset {
  readonly dir: string;
  readonly files: readonly string[];
  /** Sorted by trace start (see {@link loadTrainTicketTraces}). */
  readonly traces: readonly TrainTicketTrace[];
  readonly faults: readonly TrainTicketFault[];
}

/** Reads and parses the split in `dir` (span files, then `labels/faults.json`). */
export function loadTrainTicketDataset(dir: string): TrainTicketDataset {
  const files = trainTicketFiles(dir);
  return { dir, files, traces: loadTrainTicketTraces(files), faults: loadTrainTicketFaults(dir) };
}
