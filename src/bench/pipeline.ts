import type { Config } from "../config/index.js";
import { ManualClock } from "../core/clock.js";
import type { Model } from "../core/model/model.js";
import { decodeSpans, type DecodeOptions } from "../decode/index.js";
import { serviceGraphEdges } from "../metrics/service-graph.js";
import { createDetectionPipeline } from "../service/pipeline.js";
import { OnCallViews } from "../service/views.js";
import { AlertDispatcher, InMemoryAlertSink } from "../sinks/index.js";
import { median, timed } from "./ingest-common.js";
import { BENCH_START_MS, NO_TRAINING, otlpTraffic, warmModel, type TimedMessage } from "./pipeline-data.js";

/** Options of {@link benchPipeline}. */
export interface PipelineBenchOptions {
  /** The detector (the packaged default config in `tracewatch bench`). */
  readonly config: Config;
  /** Timed repetitions; the median is reported. Default 5. */
  readonly runs?: number;
  /** Simulated traces per run (about 16 spans each). Default 20,000. */
  readonly traces?: number;
}

/** Result of {@link benchPipeline}. */
export interface PipelineBenchResult {
  /** Median spans per CPU second from OTLP protobuf bytes to alerts in the sink. */
  readonly pipeline_spans_per_sec: number;
  readonly runs: number;
  readonly spans_per_run: number;
  readonly traces_per_run: number;
  /** Alerts the last run delivered to the in-memory sink. */
  readonly alerts_per_run: number;
  /**
   * Median spans per CPU second with the on-call views on (each trace's service-graph edges into
   * the service map, every alerted trace kept), runs interleaved with the runs above.
   */
  readonly on_call_views_spans_per_sec: number;
  /** on_call_views_spans_per_sec / pipeline_spans_per_sec (the bound: at least 0.9). */
  readonly on_call_views_ratio: number;
}

const TICK_EVERY_MS = 100;

/** One pass of the messages through decode → assembler → features → score → rules → sink. */
async function onePass(config: Config, model: Model, messages: readonly TimedMessage[], views = false) {
  const clock = new ManualClock(BENCH_START_MS);
  const sink = new InMemoryAlertSink();
  const dispatcher = new AlertDispatcher([sink]);
  let traces = 0;
  let onCall: OnCallViews | null = null;
  const { pipeline, core } = createDetectionPipeline(config, {
    clock,
    trainer: NO_TRAINING,
    outputs: {
      alert: (alert, t) => {
        onCall?.keepAlerted(alert, t);
        void dispatcher.dispatch(alert);
      },
      scored: (_scored, t) => {
        // A trace re-opened by a late span (an asynchronous consumer span) is processed again.
        if (t.earlierSpans === undefined) traces++;
        onCall?.recordTrace(t, serviceGraphEdges(t.spans, t.earlierSpans));
      },
    },
  });
  if (views) onCall = new OnCallViews({ core, clock, minSamples: config.spec.training.min_samples });
  core.detector.install(model);
  const decodeOptions: DecodeOptions = {};
  let lastTick = clock.now();
  const seconds = await timed(async () => {
    for (const m of messages) {
      if (m.endMs > clock.now()) clock.set(m.endMs);
      pipeline.add(decodeSpans(m.bytes, decodeOptions).spans);
      if (clock.now() - lastTick >= TICK_EVERY_MS) {
        lastTick = clock.now();
        pipeline.tick(lastTick);
        await pipeline.whenIdle();
      }
    }
    await pipeline.flush();
  });
  await pipeline.shutdown();
  return { seconds, traces, alerts: sink.alerts.length };
}

/**
 * In-process pipeline throughput on one core: simulated traffic (with its injected anomalies) as
 * 100-span OTLP protobuf messages in end-time order, decoded, assembled on event time (root grace
 * and decision wait from the config), then features, scoring by a pre-trained model, the training
 * window, the alert rules, and alerts dispatched to an in-memory sink.
 */
export async function benchPipeline(o: PipelineBenchOptions): Promise<PipelineBenchResult> {
  const model = warmModel(o.config);
  const { messages, spans, traces } = otlpTraffic({ traces: o.traces ?? 20_000, seed: 202 });
  await onePass(o.config, model, messages.slice(0, 200));
  const rates: number[] = [];
  const withViews: number[] = [];
  let alerts = 0;
  for (let r = 0; r < (o.runs ?? 5); r++) {
    const pass = await onePass(o.config, model, messages);
    if (pass.traces !== traces) throw new Error(`pipeline completed ${pass.traces} of ${traces} traces`);
    rates.push(spans / pass.seconds);
    alerts = pass.alerts;
    withViews.push(spans / (await onePass(o.config, model, messages, true)).seconds);
  }
  return {
    pipeline_spans_per_sec: Math.round(median(rates)),
    runs: rates.length,
    spans_per_run: spans,
    traces_per_run: traces,
    alerts_per_run: alerts,
    on_call_views_spans_per_sec: Math.round(median(withViews)),
    on_call_views_ratio: Math.round((median(withViews) / median(rates)) * 1000) / 1000,
  };
}
