import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { Config } from "../config/index.js";
import { ManualClock } from "../core/clock.js";
import { quantileSorted } from "../core/model/metrics.js";
import { decodeSpans } from "../decode/index.js";
import { systemClock } from "../platform/clock.js";
import { createDetectionPipeline } from "../service/pipeline.js";
import { AlertDispatcher, createSinks, InMemoryDeadLetterWriter, silentLogger } from "../sinks/index.js";
import type { AnomalySchedule } from "../sim/schedule.js";
import { median } from "./ingest-common.js";
import { BENCH_START_MS, NO_TRAINING, otlpPerTrace, warmModel } from "./pipeline-data.js";

/** Options of {@link benchAlertLatency}. */
export interface AlertLatencyOptions {
  readonly config: Config;
  /** Measured runs; the median of their p99s is reported. Default 3. */
  readonly runs?: number;
  /** Traces per run. Default 5,000. */
  readonly traces?: number;
  /** Background traffic, traces per wall-clock second. Default 1,000 (about 16,000 spans/s). */
  readonly ratePerSec?: number;
}

/** Result of {@link benchAlertLatency}; latencies in ms. */
export interface AlertLatencyResult {
  readonly alert_latency_p99_ms: number;
  readonly alert_latency_p50_ms: number;
  readonly alert_latency_max_ms: number;
  readonly runs: number;
  /** Alerts measured per run (median). */
  readonly alerts_per_run: number;
  readonly rate_traces_per_sec: number;
}

/** Network-delay spikes on one service in 5% of traces, throughout: plenty of per-trace alerts. */
const SPIKES: AnomalySchedule = {
  warmupMs: 0,
  periodMs: 60_000,
  windows: [{ kind: "latency_network", offsetMs: 0, durationMs: 60_000, fraction: 0.05 }],
};

/** A webhook receiver on 127.0.0.1 recording when each alert's body arrived (performance.now()). */
async function receiver(
  onAlert: (traceId: string, atMs: number) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { traceId?: unknown };
      if (typeof body.traceId === "string") onAlert(body.traceId, at);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts` };
}

async function oneRun(
  o: AlertLatencyOptions,
  model: ReturnType<typeof warmModel>,
  seed: number,
): Promise<number[]> {
  const work = otlpPerTrace({ traces: o.traces ?? 5_000, seed, schedule: SPIKES });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const { server, url } = await receiver((traceId, at) => {
    const sent = sentAt.get(traceId);
    if (sent !== undefined) latencies.push(at - sent);
  });
  const clock = new ManualClock(BENCH_START_MS);
  const deps = { clock: systemClock, logger: silentLogger, deadLetters: new InMemoryDeadLetterWriter() };
  const dispatcher = new AlertDispatcher(createSinks([{ type: "webhook", url }], deps));
  const { pipeline, core } = createDetectionPipeline(o.config, {
    clock,
    trainer: NO_TRAINING,
    outputs: { alert: (alert) => void dispatcher.dispatch(alert) },
  });
  core.detector.install(model);
  const a = o.config.spec.assembly;
  const perSlice = Math.max(1, Math.round(((o.ratePerSec ?? 1_000) * 10) / 1000));
  const began = performance.now();
  try {
    for (let i = 0; i < work.length; i++) {
      const { trace, bytes } = work[i]!;
      sentAt.set(trace.traceId, performance.now());
      pipeline.add(decodeSpans(bytes, {}).spans);
      // The trace is whole: move past root_grace so it completes on this tick (the wait is configured, not work).
      clock.advance(a.root_grace + 1);
      pipeline.tick();
      if ((i + 1) % perSlice === 0) {
        const due = began + ((i + 1) / perSlice) * 10;
        await sleep(Math.max(0, due - performance.now()));
      }
    }
    await pipeline.flush();
    await dispatcher.flush(10_000);
  } finally {
    await pipeline.shutdown();
    await dispatcher.shutdown();
    await new Promise((resolve) => server.close(resolve));
  }
  return latencies;
}

const p = (sorted: Float64Array, q: number): number => Math.round(quantileSorted(sorted, q) * 100) / 100;

/**
 * Alert latency: from the moment the OTLP message carrying an anomalous trace's last span is
 * handed to the pipeline (decode) to the alert's body fully received by a webhook receiver on
 * 127.0.0.1, through the assembler, features, scoring, rules, the dispatcher and the webhook
 * sink's queue and HTTP delivery, under steady background traffic. The configured completion wait
 * (root_grace) is excluded: a manual clock is moved past it as soon as the trace is whole.
 */
export async function benchAlertLatency(o: AlertLatencyOptions): Promise<AlertLatencyResult> {
  const model = warmModel(o.config);
  // Warm-up (JIT, HTTP connection pool), not measured.
  await oneRun({ ...o, traces: 1_000 }, model, 299);
  const p99s: number[] = [];
  const p50s: number[] = [];
  const counts: number[] = [];
  let max = 0;
  for (let r = 0; r < (o.runs ?? 3); r++) {
    const lat = Float64Array.from(await oneRun(o, model, 300 + r)).sort();
    if (lat.length === 0) throw new Error("no alert reached the webhook receiver");
    p99s.push(p(lat, 0.99));
    p50s.push(p(lat, 0.5));
    counts.push(lat.length);
    max = Math.max(max, lat[lat.length - 1]!);
  }
  return {
    alert_latency_p99_ms: median(p99s),
    alert_latency_p50_ms: median(p50s),
    alert_latency_max_ms: Math.round(max * 100) / 100,
    runs: p99s.length,
    alerts_per_run: median(counts),
    rate_traces_per_sec: o.ratePerSec ?? 1_000,
  };
}
