import type { Config } from "../config/index.js";
import { ManualClock } from "../core/clock.js";
import { extractFeatures } from "../core/features/extract.js";
import { loadModel, type Model } from "../core/model/model.js";
import type { PipelineTrainer } from "../core/pipeline/detection-pipeline.js";
import { endOrdered } from "../eval/synthetic-order.js";
import { encodeOtlpProto } from "../otlp/index.js";
import { buildDetectionCore, trainOnWindow } from "../service/detector.js";
import type { AnomalySchedule } from "../sim/schedule.js";
import { Simulator, type SimulatedTrace } from "../sim/simulator.js";

/**
 * The benches' trainer: it trains nothing. The service retrains in a worker thread, off the scoring
 * path the benches time (the model bench times training), and a pre-trained model is installed.
 */
export const NO_TRAINING: PipelineTrainer = { train: () => "skipped" };

/** Event time every benchmark workload starts at (Unix ms). */
export const BENCH_START_MS = Date.UTC(2026, 0, 1);

/**
 * A model trained the way the service trains one, on `traces` simulated traces of normal
 * traffic (seed `seed`, every request type including the slow report export).
 */
export function warmModel(config: Config, traces = 20_000, seed = 101): Model {
  const clock = new ManualClock(BENCH_START_MS);
  const core = buildDetectionCore(config, clock);
  const sim = new Simulator({ seed, ratePerSec: 100, startTimeMs: BENCH_START_MS, anomalies: ["near-miss"] });
  for (const t of sim.take(traces)) {
    clock.set(Math.max(clock.now(), Math.ceil(t.endTimeMs)));
    const spans = [...t.spans];
    core.detector.observe(
      extractFeatures(
        { traceId: t.traceId, spans, reason: "root", completedAtMs: clock.now() },
        { groupKey: core.detector.groupKey },
      ),
    );
  }
  const r = trainOnWindow(core, clock.now());
  if (!r.ok) throw new Error(`benchmark model refused: ${r.detail}`);
  return loadModel(r.artifact);
}

/** One OTLP protobuf message and the event time (Unix ms) its last span ended. */
export interface TimedMessage {
  readonly bytes: Uint8Array;
  readonly endMs: number;
}

/** Simulated traffic as a collector would export it: spans in end order, `spansPerMessage` per message. */
export function otlpTraffic(o: {
  traces: number;
  seed: number;
  spansPerMessage?: number;
  schedule?: AnomalySchedule;
}): { messages: TimedMessage[]; spans: number; traces: number } {
  const sim = new Simulator({
    seed: o.seed,
    ratePerSec: 200,
    startTimeMs: BENCH_START_MS,
    ...(o.schedule === undefined ? {} : { schedule: o.schedule }),
  });
  const per = o.spansPerMessage ?? 100;
  const messages: TimedMessage[] = [];
  let batch = [];
  let spans = 0;
  for (const span of endOrdered(sim.take(o.traces))) {
    batch.push(span);
    spans++;
    if (batch.length === per) {
      messages.push({ bytes: encodeOtlpProto(batch), endMs: Number(span.endTimeUnixNano / 1_000_000n) });
      batch = [];
    }
  }
  const last = batch[batch.length - 1];
  if (last !== undefined) {
    messages.push({ bytes: encodeOtlpProto(batch), endMs: Number(last.endTimeUnixNano / 1_000_000n) });
  }
  return { messages, spans, traces: o.traces };
}

/** Each trace as one OTLP protobuf message (a service exporting a whole trace at once), in start order. */
export function otlpPerTrace(o: { traces: number; seed: number; schedule?: AnomalySchedule }): {
  trace: SimulatedTrace;
  bytes: Uint8Array;
}[] {
  const sim = new Simulator({
    seed: o.seed,
    ratePerSec: 200,
    startTimeMs: BENCH_START_MS,
    ...(o.schedule === undefined ? {} : { schedule: o.schedule }),
  });
  return [...sim.take(o.traces)].map((trace) => ({ trace, bytes: encodeOtlpProto(trace.spans) }));
}
