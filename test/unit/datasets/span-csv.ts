/** The header of the datasets' span CSV files. */
export const SPAN_CSV_HEADER =
  "TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration";

/**
 * Writers of span CSV rows whose times are whole milliseconds plus `extraNs` nanoseconds, so a
 * test sees the loader keep the nanoseconds: `ns(ms)`, a time as the file writes it, and `row`,
 * one span of operation "op" with its duration in microseconds.
 */
export function spanCsv(extraNs: bigint): {
  ns: (ms: number) => string;
  row: (trace: string, span: string, parent: string, pod: string, startMs: number, endMs: number) => string;
} {
  const ns = (ms: number): string => (BigInt(ms) * 1_000_000n + extraNs).toString();
  const row = (trace: string, span: string, parent: string, pod: string, startMs: number, endMs: number) =>
    [trace, span, parent, pod, "op", ns(startMs), ns(endMs), String((endMs - startMs) * 1000)].join(",");
  return { ns, row };
}
