import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { defaultDatasetsHome } from "../../../src/datasets/location.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadOnlineBoutiqueDataset,
  normalShiftMs,
  onlineBoutiqueDir,
} from "../../../src/datasets/onlineboutique.js";
import { labelTrainTicketFault, type TrainTicketFault } from "../../../src/datasets/trainticket.js";
import { SPAN_CSV_HEADER as HEADER, spanCsv } from "./span-csv.js";

const MIN = 60_000;
const INJECT = Date.parse("2022-08-23T12:01:25Z");
const NORMAL_AT = Date.parse("2022-08-23T17:00:10Z");
const FRONTEND = "frontend-579b9bff58-t2dbm";
const CART = "cartservice-579f59597d-wc2lz";
const AD = "adservice-5f6585d649-fnmft";
const { ns, row } = spanCsv(7n);
/** A frontend trace calling `callee`'s pod. */
const trace = (id: string, startMs: number, callee: string): string[] => [
  row(id, `${id.slice(0, 15)}1`, "root", FRONTEND, startMs, startMs + 20),
  row(id, `${id.slice(0, 15)}2`, `${id.slice(0, 15)}1`, callee, startMs + 2, startMs + 18),
];
const gz = (rows: string[]): Buffer => gzipSync(Buffer.from([HEADER, ...rows].join("\n") + "\n"));

// Trace ids by what the label rule should make of them.
const T_NORMAL = "1".repeat(32); // the fault-free minute, recorded after the faults
const T_AMBIGUOUS = "2".repeat(32); // 30 s before the injection, touches the pod about to be faulted
const T_BEFORE_OTHER = "3".repeat(32); // 30 s before, another pod
const T_ANOMALOUS = "4".repeat(32); // in the window, touches the faulty pod
const T_WINDOW_OTHER = "5".repeat(32); // in the window, another pod
const T_AFTER = "6".repeat(32); // after the window

const FAULTS = [
  {
    inject_time_utc: "2022-08-23T12:01:25Z",
    inject_pod: CART,
    service: "cartservice",
    inject_type: "network_delay",
    duration_s: 180,
  },
  // A fault without any minute file.
  {
    inject_time_utc: "2022-08-23T14:00:00Z",
    inject_pod: AD,
    service: "adservice",
    inject_type: "exception",
    duration_s: 180,
  },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tw-ob-"));
  await Promise.all(["normal", "trace", "labels"].map((d) => mkdir(join(dir, d))));
  await writeFile(join(dir, "labels", "faults.json"), JSON.stringify(FAULTS));
  await writeFile(join(dir, "normal", "2022-08-23_17_00_trace.csv.gz"), gz(trace(T_NORMAL, NORMAL_AT, CART)));
  await writeFile(
    join(dir, "trace", "2022-08-23_12_01_trace.csv.gz"),
    gz([...trace(T_AMBIGUOUS, INJECT - 30_000, CART), ...trace(T_BEFORE_OTHER, INJECT - 29_000, AD)]),
  );
  await writeFile(
    join(dir, "trace", "2022-08-23_12_02_trace.csv.gz"),
    gz([...trace(T_ANOMALOUS, INJECT + 10_000, CART), ...trace(T_WINDOW_OTHER, INJECT + 11_000, AD)]),
  );
  // Plain .csv is read too.
  await writeFile(
    join(dir, "trace", "2022-08-23_12_05_trace.csv"),
    [HEADER, ...trace(T_AFTER, INJECT + 200_000, CART)].join("\n"),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("OnlineBoutique dataset", () => {
  it("locates the split next to the project, or where TRACEWATCH_ONLINEBOUTIQUE_DIR says", () => {
    expect(onlineBoutiqueDir({})).toBe(join(defaultDatasetsHome(), "onlineboutique-nezha"));
    expect(onlineBoutiqueDir({ TRACEWATCH_ONLINEBOUTIQUE_DIR: "/data/ob" })).toBe("/data/ob");
  });

  const fault = (injectMs: number): TrainTicketFault => ({
    injectMs,
    injectPod: CART,
    service: "cartservice",
    injectType: "network_delay",
    durationMs: 180_000,
  });
  const at = (iso: string): number => Date.parse(`2022-08-23T${iso}Z`);
  it.each([
    {
      name: "a minute recorded after the faults moves to end where the first ambiguous minute starts",
      normal: [at("17:00:10"), at("17:00:50")],
      faulty: [at("12:02:00")],
      faults: [fault(at("12:01:25"))],
      // Ambiguous from 12:00:25: the minute 17:00 becomes 11:59.
      shift: at("11:59:00") - at("17:00:00"),
    },
    {
      name: "a minute straddling two clock minutes moves whole",
      normal: [at("16:59:28"), at("17:00:27")],
      faulty: [at("12:01:28")],
      faults: [fault(at("12:01:25"))],
      shift: at("11:58:00") - at("16:59:00"),
    },
    {
      name: "fault traces earlier than the first ambiguous minute set the limit",
      normal: [at("17:00:10")],
      faulty: [at("11:30:05")],
      faults: [fault(at("12:01:25"))],
      shift: at("11:29:00") - at("17:00:00"),
    },
    {
      name: "a minute already before the faults stays",
      normal: [at("11:39:10")],
      faulty: [at("11:51:00")],
      faults: [fault(at("11:51:46"))],
      shift: 0,
    },
    { name: "no fault-free traces", normal: [], faulty: [at("12:00:00")], faults: [], shift: 0 },
    { name: "no faults at all", normal: [at("17:00:10")], faulty: [], faults: [], shift: 0 },
  ])("normalShiftMs: $name", ({ normal, faulty, faults, shift }) => {
    expect(normalShiftMs(normal, faulty, faults)).toBe(shift);
    const moved = normal.map((t) => t + shift);
    const limit = Math.min(...faulty, ...faults.map((f) => f.injectMs - MIN));
    for (const t of moved) expect(t).toBeLessThan(limit);
  });

  it("reads gzipped and plain minute files, the fault-free minute first and moved before the faults", () => {
    const d = loadOnlineBoutiqueDataset(dir);
    expect(d.files.map((f) => f.slice(dir.length + 1))).toEqual([
      "normal/2022-08-23_17_00_trace.csv.gz",
      "trace/2022-08-23_12_01_trace.csv.gz",
      "trace/2022-08-23_12_02_trace.csv.gz",
      "trace/2022-08-23_12_05_trace.csv",
    ]);
    expect(d.normalTraces).toBe(1);
    expect(d.normalShiftMs).toBe(Date.parse("2022-08-23T11:59:00Z") - Date.parse("2022-08-23T17:00:00Z"));
    expect(d.traces.map((t) => t.trace.traceId)).toEqual([
      T_NORMAL,
      T_AMBIGUOUS,
      T_BEFORE_OTHER,
      T_ANOMALOUS,
      T_WINDOW_OTHER,
      T_AFTER,
    ]);
    // Event time never runs backwards: traces start in order, every span moved with its trace.
    const starts = d.traces.map((t) => t.startMs);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    const normal = d.traces[0];
    const moved = NORMAL_AT + d.normalShiftMs;
    expect(normal?.startMs).toBe(moved);
    expect(normal?.trace.completedAtMs).toBe(moved + 20);
    expect(normal?.trace.spans.map((s) => [s.startTimeUnixNano, s.endTimeUnixNano])).toEqual([
      [BigInt(ns(moved)), BigInt(ns(moved + 20))],
      [BigInt(ns(moved + 2)), BigInt(ns(moved + 18))],
    ]);
    expect(normal?.trace.spans[0]?.service).toBe("frontend");
    // Fault minutes are not moved.
    expect(d.traces[3]?.startMs).toBe(INJECT + 10_000);
  });

  it("labels by the README's rule, the minute before an injection touching its pod ambiguous", () => {
    const d = loadOnlineBoutiqueDataset(dir);
    expect(d.faults.map((f) => f.injectType)).toEqual(["network_delay", "exception"]);
    expect(d.traces.map((t) => labelTrainTicketFault(t, d.faults))).toEqual([
      { label: "normal", faultIndex: -1 },
      { label: "ambiguous", faultIndex: 0 },
      { label: "normal", faultIndex: -1 },
      { label: "anomalous", faultIndex: 0 },
      { label: "window_other", faultIndex: 0 },
      { label: "normal", faultIndex: -1 },
    ]);
  });
});
