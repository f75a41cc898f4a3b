import type { Config } from "../config/index.js";
import { ManualClock } from "../core/clock.js";
import type { Model } from "../core/model/model.js";
import type { Span } from "../domain/span.js";
import { decodeSpans, type DecodeOptions } from "../decode/index.js";
import { ServiceGraphEdgeList } from "../metrics/service-graph.js";
import { createDetectionPipeline } from "../service/pipeline.js";
import { OnCallViews } from "../service/views.js";
import { DEFAULT_SAMPLING, keptTraceBytes } from "../config/schema-sampling.js";
import { TailSampler } from "../core/sampling/sampler.js";
import { MessageRedactor } from "../decode/redact-message.js";
import { encodeOtlpProto } from "../otlp/proto-encode.js";
import { AlertDispatcher, InMemoryAlertSink } from "../sinks/index.js";
import { timed } from "./ingest-common.js";
import { pipelineFigures, type PipelineRuns } from "./pipeline-figures.js";
import { BENCH_START_MS, NO_TRAINING, otlpTraffic, warmModel, type TimedMessage } from "./pipeline-data.js";

/** Options of {@link benchPipeline}. */
export interface PipelineBenchOptions {
  /** The detector (the packaged default config in `tracewatch bench`). */
  readonly config: Config;
  /** Timed repetitions; the median is reported. Default 3 (each order of the passes once). */
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
  /** Each repetition's rates, for figures over several processes ({@link pipelineFigures}). */
  readonly per_run: PipelineRuns;
  /** Alerts the last run delivered to the in-memory sink. */
  readonly alerts_per_run: number;
  /**
   * Median spans per CPU second with the on-call views on (each trace's service-graph edges into
   * the service map, every alerted trace kept), runs interleaved with the runs above.
   */
  readonly on_call_views_spans_per_sec: number;
  /**
   * Median over repetitions of the views pass's rate over the plain pass's rate of the same
   * repetition (the bound: at least 0.9).
   */
  readonly on_call_views_ratio: number;
  /**
   * Median spans per CPU second with keeping on and the service map: the on-call views plus tail
   * sampling by the default policies into the in-memory store (the Kafka-free default), runs
   * interleaved with the above. Like the features and alerts topics' records, which the pipeline
   * figure leaves out too, the sampled topic's encoding is measured apart (`sampled_encode_*`).
   */
  readonly tail_sampling_spans_per_sec: number;
  /**
   * Median over repetitions of the keeping pass's rate over the plain pass's rate of the same
   * repetition (the bound: at least 0.9).
   */
  readonly tail_sampling_ratio: number;
  /** Traces the last keeping run kept (alerted, by policy, normal samples). */
  readonly kept_per_run: number;
  /** Spans per CPU second encoding the kept traces as sampled-topic records (OTLP protobuf, redaction pass). */
  readonly sampled_encode_spans_per_sec: number;
}

/** What a pass runs besides the pipeline: nothing, the on-call views, or those and tail sampling. */
type Extras = "none" | "views" | "sampling";

const TICK_EVERY_MS = 100;

/** The passes of one repetition, rotated by one place per repetition. */
const PASS_ORDER: readonly Extras[] = ["none", "views", "sampling"];

/** One pass of the messages through decode → assembler → features → score → rules → sink. */
async function onePass(
  config: Config,
  model: Model,
  messages: readonly TimedMessage[],
  extras: Extras = "none",
  collectKept = false,
) {
  const clock = new ManualClock(BENCH_START_MS);
  const sink = new InMemoryAlertSink();
  const dispatcher = new AlertDispatcher([sink]);
  let traces = 0;
  let onCall: OnCallViews | null = null;
  // The kept traces themselves only when asked (for the encoding figure): a timed pass holding
  // on to every one of them would pay the harness's memory, not the product's.
  const kept: (readonly Span[])[] = [];
  let keptCount = 0;
  const edges = new ServiceGraphEdgeList();
  const { pipeline, core } = createDetectionPipeline(config, {
    clock,
    trainer: NO_TRAINING,
    // As served: kept traces count in the assembler's memory budget.
    sharedBytes: () => onCall?.kept.bytes ?? 0,
    outputs: {
      alert: (alert, t) => {
        onCall?.keepAlerted(alert, t);
        void dispatcher.dispatch(alert);
      },
      scored: (scored, t, parentOf, spanNs) => {
        // A trace re-opened by a late span (an asynchronous consumer span) is processed again.
        if (t.earlierSpans === undefined) traces++;
        // As served: the edges from the parent links and span durations scoring built.
        if (onCall !== null) {
          onCall.recordTrace(edges.fill(t.spans, t.earlierSpans, parentOf, spanNs));
          edges.release();
        }
        if (onCall?.sample(scored, t)?.keep === true) {
          keptCount++;
          if (collectKept) kept.push(t.spans);
        }
      },
    },
  });
  if (extras !== "none") {
    const sampling = (config.sampling ?? DEFAULT_SAMPLING).spec;
    onCall = new OnCallViews({
      core,
      clock,
      minSamples: config.spec.training.min_samples,
      ...(extras === "sampling"
        ? {
            sampler: new TailSampler(sampling, { threshold: config.spec.detection.threshold }),
            keptTraces: sampling.store.max_traces,
            keptBytes: keptTraceBytes(config),
          }
        : {}),
    });
  }
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
  return { seconds, traces, alerts: sink.alerts.length, kept, keptCount };
}

/** Encodes `traces` as the sampled topic's records: spans per CPU second. */
async function encodeRate(config: Config, traces: readonly (readonly Span[])[]): Promise<number> {
  const redactor = new MessageRedactor({ actions: config.spec.redaction });
  let spans = 0;
  const seconds = await timed(() => {
    for (const t of traces) {
      redactor.redact(encodeOtlpProto(t), "otlp_proto");
      spans += t.length;
    }
  });
  return seconds > 0 ? spans / seconds : 0;
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
  // An untimed whole pass of each variant first: the first timed pass of a process otherwise runs
  // about a quarter slower (code still being compiled and the heap still growing), and would
  // always be the same variant's.
  for (const extras of PASS_ORDER) await onePass(o.config, model, messages, extras);
  const rates: number[] = [];
  const withViews: number[] = [];
  const withSampling: number[] = [];
  let alerts = 0;
  let keptCount = 0;
  const runs = o.runs ?? 3;
  for (let r = 0; r < runs; r++) {
    // The three passes in a rotated order each repetition, so that no variant always runs first
    // (after the previous repetition's garbage) or last; the ratios pair passes of one repetition.
    for (let i = 0; i < PASS_ORDER.length; i++) {
      const extras = PASS_ORDER[(r + i) % PASS_ORDER.length] as Extras;
      const pass = await onePass(o.config, model, messages, extras);
      if (extras === "none") {
        if (pass.traces !== traces) throw new Error(`pipeline completed ${pass.traces} of ${traces} traces`);
        rates.push(spans / pass.seconds);
        alerts = pass.alerts;
      } else if (extras === "views") {
        withViews.push(spans / pass.seconds);
      } else {
        withSampling.push(spans / pass.seconds);
        keptCount = pass.keptCount;
      }
    }
  }
  const perRun = {
    plain: rates.map(Math.round),
    views: withViews.map(Math.round),
    sampling: withSampling.map(Math.round),
  };
  return {
    ...pipelineFigures(perRun),
    runs: rates.length,
    spans_per_run: spans,
    traces_per_run: traces,
    alerts_per_run: alerts,
    per_run: perRun,
    kept_per_run: keptCount,
    sampled_encode_spans_per_sec: Math.round(
      await encodeRate(o.config, (await onePass(o.config, model, messages, "sampling", true)).kept),
    ),
  };
}
