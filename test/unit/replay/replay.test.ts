import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import type { Alert } from "../../../src/core/alerts/alert.js";
import {
  labelTrainTicketTrace,
  loadTrainTicketFaults,
  loadTrainTicketTraces,
  trainTicketFiles,
} from "../../../src/datasets/trainticket.js";
import { encodeNativeJson } from "../../../src/decode/index.js";
import type { Span } from "../../../src/domain/span.js";
import { encodeOtlpJson, encodeOtlpProto } from "../../../src/otlp/index.js";
import { replay } from "../../../src/replay/replay.js";

const EXAMPLE = new URL("../../../config/examples/trainticket.yaml", import.meta.url).pathname;
/** Three fault windows of the TrainTicket split with the fault-free minute (test/fixtures/trainticket-nezha/README.md). */
const TRAINTICKET = new URL("../../../test/fixtures/trainticket-nezha", import.meta.url).pathname;

function span(
  traceId: string,
  id: string,
  parent: string | null,
  service: string,
  startMs: number,
  ms: number,
  error = false,
): Span {
  const start = BigInt(startMs) * 1_000_000n;
  return {
    traceId,
    spanId: id,
    parentSpanId: parent,
    service,
    name: `${service} op`,
    kind: parent === null ? "SERVER" : "INTERNAL",
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt(Math.round(ms * 1e6)),
    status: error ? "ERROR" : "UNSET",
    attributes: {},
  };
}

/** A cascade: five services, every span an error. */
function cascade(traceId: string, at: number): Span[] {
  const services = ["gw", "a", "b", "c", "d"];
  return services.flatMap((s, i) => [
    span(
      traceId,
      `${i}${"1".repeat(15)}`,
      i === 0 ? null : `${i - 1}${"1".repeat(15)}`,
      s,
      at + i,
      50 - i,
      true,
    ),
    span(traceId, `${i}${"2".repeat(15)}`, `${i}${"1".repeat(15)}`, s, at + i, 5, true),
  ]);
}

describe("tracewatch replay", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tw-replay-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ["native NDJSON", "spans.ndjson", (s: Span[]) => encodeNativeJson(s)],
    ["OTLP JSON", "spans.json", (s: Span[]) => encodeOtlpJson(s)],
    ["OTLP protobuf", "spans.pb", (s: Span[]) => encodeOtlpProto(s)],
  ])("reads %s and raises a cascade alert from the spans alone", async (_name, file, encode) => {
    const path = join(dir, file);
    await writeFile(path, encode(cascade("ab".repeat(16), 1_700_000_000_000)));
    const alerts: Alert[] = [];
    const summary = await replay({
      config: loadConfig({ text: "metadata: { name: t }" }, {}),
      files: [path],
      onAlert: (a) => alerts.push(a),
    });
    expect(summary.spans).toBe(10);
    expect(summary.traces).toBe(1);
    expect(summary.rejected).toEqual([]);
    // One trace, kept as a sample by the warm-up, is far from the default 500.
    expect(summary.noModel).toBe("no model: 1 of 500 samples after 1 traces");
    expect(alerts.map((a) => [a.type, a.traceId])).toEqual([["cascade_failure", "ab".repeat(16)]]);
  });

  it("raises latency alerts on recorded TrainTicket faults inside the fault windows, on the faulty pods' traces", async () => {
    const data = TRAINTICKET;
    const files = trainTicketFiles(data);
    const faults = loadTrainTicketFaults(data);
    const traces = loadTrainTicketTraces(files);
    const labels = new Map(traces.map((t) => [t.trace.traceId, labelTrainTicketTrace(t, faults)]));
    const kindOf = new Map(
      traces.map((t) => {
        const f = faults.find((x) => t.startMs >= x.injectMs && t.startMs < x.injectMs + x.durationMs);
        return [t.trace.traceId, f?.injectType];
      }),
    );
    const latency: Alert[] = [];
    await replay({
      config: loadConfig({ path: EXAMPLE }, {}),
      files,
      onAlert: (a) => {
        if (a.type === "latency_spike") latency.push(a);
      },
    });
    const alerted = new Set(latency.map((a) => a.traceId));
    const counted = latency.filter((a) => labels.get(a.traceId) !== "window_other");
    const hits = counted.filter((a) => labels.get(a.traceId) === "anomalous").length;
    const recallOf = (kind: string) => {
      const positives = [...labels].filter(([id, l]) => l === "anomalous" && kindOf.get(id) === kind);
      expect(positives.length).toBeGreaterThan(20);
      return positives.filter(([id]) => alerted.has(id)).length / positives.length;
    };
    // Figures of this replay are reported in docs/evaluation.md; these bounds catch regressions.
    // Measured when the subset was cut: 43 of 45 counted alerts right, network delay 26 of 27
    // affected traces, CPU contention 17 of 77 (the weak kind: issue 12).
    expect(hits / counted.length).toBeGreaterThan(0.8);
    expect(recallOf("network_delay")).toBeGreaterThan(0.85);
    expect(recallOf("cpu_contention")).toBeGreaterThan(0.15);
  });
});
