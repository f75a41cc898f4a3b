import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { defaultDatasetsHome } from "../../../src/datasets/location.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  labelTrainTicketTrace,
  loadTrainTicketFaults,
  loadTrainTicketTraces,
  parseTrainTicketCsv,
  serviceOfPod,
  trainTicketDir,
  trainTicketFiles,
} from "../../../src/datasets/trainticket.js";
import { isTracewatchError } from "../../../src/errors.js";
import { SPAN_CSV_HEADER as HEADER, spanCsv } from "./span-csv.js";

const INJECT = Date.parse("2023-01-30T11:51:46Z");
const { ns, row } = spanCsv(123n);

const T_IN = "a".repeat(32);
const T_OTHER = "b".repeat(32);
const T_BEFORE = "c".repeat(32);
const FAULTY = "ts-contacts-service-866bd68c97-dzqgd";
const GW = "ts-gateway-service-6f6cfc45b-d9pnv";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tw-tt-"));
  await mkdir(join(dir, "trace"));
  await mkdir(join(dir, "normal"));
  await mkdir(join(dir, "labels"));
  const faults = [
    {
      inject_time_utc: "2023-01-30T11:51:46Z",
      inject_pod: FAULTY,
      service: "ts-contacts-service",
      inject_type: "network_delay",
      duration_s: 180,
    },
  ];
  await writeFile(join(dir, "labels", "faults.json"), JSON.stringify(faults));
  await writeFile(
    join(dir, "normal", "2023-01-30_11_39_trace.csv"),
    [HEADER, row(T_BEFORE, "1".repeat(16), "root", GW, INJECT - 600_000, INJECT - 599_000)].join("\n"),
  );
  const minute1 = [
    HEADER,
    row(T_IN, "1".repeat(16), "root", GW, INJECT + 1000, INJECT + 3000),
    row(T_IN, "2".repeat(16), "1".repeat(16), FAULTY, INJECT + 1100, INJECT + 2900),
  ];
  // The second file repeats a row of the straddling trace and adds its last span.
  const minute2 = [
    HEADER,
    minute1[2] as string,
    row(T_IN, "3".repeat(16), "2".repeat(16), FAULTY, INJECT + 1200, INJECT + 3100),
    row(T_OTHER, "4".repeat(16), "root", GW, INJECT + 2000, INJECT + 2500),
  ];
  await writeFile(join(dir, "trace", "11_51_trace.csv"), minute1.join("\n"));
  await writeFile(join(dir, "trace", "11_52_trace.csv"), minute2.join("\n") + "\n");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("TrainTicket dataset", () => {
  it.each([
    { pod: "ts-basic-service-5dc8d4f9fd-llznp", service: "ts-basic-service" },
    { pod: "ts-gateway-service-6f6cfc45b-d9pnv", service: "ts-gateway-service" },
    { pod: "redis-abc", service: "redis-abc" },
  ])("names pod $pod's service $service", ({ pod, service }) => {
    expect(serviceOfPod(pod)).toBe(service);
  });

  it("locates the split next to the project, or where TRACEWATCH_DATASET_DIR says", () => {
    expect(trainTicketDir({})).toBe(join(defaultDatasetsHome(), "trainticket-nezha"));
    // The default home is a directory beside the project's, outside the repository.
    expect(dirname(dirname(defaultDatasetsHome()))).toBe(dirname(process.cwd()));
    expect(trainTicketDir({ TRACEWATCH_DATASET_DIR: "/data/tt" })).toBe("/data/tt");
  });

  it("replays the fault-free minute first, then fault files in time order", () => {
    expect(trainTicketFiles(dir).map((f) => f.slice(dir.length + 1))).toEqual([
      "normal/2023-01-30_11_39_trace.csv",
      "trace/11_51_trace.csv",
      "trace/11_52_trace.csv",
    ]);
  });

  it("assembles traces across files, de-duplicated on (trace, span), sorted by start", () => {
    const traces = loadTrainTicketTraces(trainTicketFiles(dir));
    expect(traces.map((t) => t.trace.traceId)).toEqual([T_BEFORE, T_IN, T_OTHER]);
    const t = traces[1];
    expect(t?.trace.spans).toHaveLength(3);
    expect(t?.trace.spans[0]).toMatchObject({
      parentSpanId: null,
      service: "ts-gateway-service",
      startTimeUnixNano: BigInt(ns(INJECT + 1000)),
    });
    expect([...(t?.pods ?? [])].sort()).toEqual([FAULTY, GW].sort());
  });

  it("labels by the README's rule: in the window and touching the pod, else window_other or normal", () => {
    const faults = loadTrainTicketFaults(dir);
    expect(faults[0]).toMatchObject({ injectMs: INJECT, durationMs: 180_000, injectPod: FAULTY });
    const labels = loadTrainTicketTraces(trainTicketFiles(dir)).map((t) => labelTrainTicketTrace(t, faults));
    expect(labels).toEqual(["normal", "anomalous", "window_other"]);
  });

  it.each([
    {
      name: "in the window, touching the faulty pod",
      offsetMs: 1000,
      pods: [GW, FAULTY],
      label: "anomalous",
    },
    { name: "in the window, another pod", offsetMs: 1000, pods: [GW], label: "window_other" },
    {
      name: "30 s before the injection, touching the pod",
      offsetMs: -30_000,
      pods: [FAULTY],
      label: "ambiguous",
    },
    { name: "30 s before the injection, another pod", offsetMs: -30_000, pods: [GW], label: "normal" },
    {
      name: "61 s before the injection, touching the pod",
      offsetMs: -61_000,
      pods: [FAULTY],
      label: "normal",
    },
    { name: "just after the window", offsetMs: 180_000, pods: [FAULTY], label: "normal" },
  ])("labels a trace $name $label", ({ offsetMs, pods, label }) => {
    const faults = loadTrainTicketFaults(dir);
    const t = {
      trace: { traceId: "t", spans: [], reason: "flush" as const, completedAtMs: INJECT + offsetMs + 10 },
      pods: new Set(pods),
      startMs: INJECT + offsetMs,
    };
    expect(labelTrainTicketTrace(t, faults)).toBe(label);
  });

  it.each([
    { name: "a wrong header", text: "a,b\n1,2" },
    { name: "a short row", text: `${HEADER}\nx,y,root` },
  ])("rejects a file with $name", ({ text }) => {
    let err: unknown;
    try {
      parseTrainTicketCsv(text, "f.csv");
    } catch (e) {
      err = e;
    }
    expect(isTracewatchError(err, "TW_DECODE_FAILED")).toBe(true);
  });
});
