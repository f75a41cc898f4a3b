import { TraceAssembler } from "../../../src/core/assembler/assembler.js";
import type { AckToken, CoreLogger } from "../../../src/core/assembler/types.js";
import { ManualClock } from "../../../src/core/clock.js";
import { loadConfig } from "../../../src/config/index.js";
import type { Span, SpanStatus } from "../../../src/domain/span.js";
import type { GraphRepairs } from "../../../src/core/features/extract.js";
import {
  TracePipeline,
  type PipelineOutputs,
  type PipelineStage,
  type TraceFailure,
} from "../../../src/pipeline/trace-pipeline.js";
import { buildDetectionCore, trainAndInstall, type DetectionCore } from "../../../src/service/detector.js";

const CONFIG = `
apiVersion: aiops/v1
kind: TraceAnomalyDetector
metadata:
  name: poisoned
spec:
  training: { min_samples: 200, sample_rate: 1.0 }
`;

const T0 = 1_700_000_000_000_000_000n;
const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0");

/** A trace id for test trace `n` of group `group` (so cases never collide). */
export const traceIdOf = (group: number, n: number): string => hex(group * 0x1000000 + n, 32);

/** A span of trace `traceId`; ids are small integers, times ms after a fixed origin. */
export function span(
  traceId: string,
  id: number,
  parent: number | null,
  service: string,
  startMs: number,
  endMs: number,
  status: SpanStatus = "OK",
): Span {
  return {
    traceId,
    spanId: hex(id, 16),
    parentSpanId: parent === null ? null : hex(parent, 16),
    service,
    name: `${service} op`,
    kind: "SERVER",
    startTimeUnixNano: T0 + BigInt(startMs) * 1_000_000n,
    endTimeUnixNano: T0 + BigInt(endMs) * 1_000_000n,
    status,
    attributes: {},
  };
}

/** A well-formed three-service trace; `n` varies its durations. */
export function goodTrace(traceId: string, n: number): Span[] {
  const d = 20 + ((n * 7919) % 60);
  return [
    span(traceId, 1, null, "gateway", 0, 3 * d),
    span(traceId, 2, 1, "orders", 2, 2 * d),
    span(traceId, 3, 2, "stock", 4, d),
  ];
}

/** The core with a model trained on 400 good traces, so every stage (scoring included) runs. */
export function trainedCore(clock: ManualClock): DetectionCore {
  const core = buildDetectionCore(loadConfig({ text: CONFIG }, {}), clock);
  const pipeline = new TracePipeline({
    detector: core.detector,
    alerter: core.alerter,
    outputs: { alert: () => {} },
  });
  for (let n = 0; n < 400; n++) {
    const traceId = traceIdOf(0xfff, n);
    pipeline.evaluate({ traceId, spans: goodTrace(traceId, n), reason: "root", completedAtMs: clock.now() });
  }
  if (!trainAndInstall(core, clock.now())) throw new Error("training failed");
  return core;
}

/** Acknowledgement tokens of source messages, counting holds and releases. */
export class Tokens {
  holds = 0;
  releases = 0;
  readonly releasedIds = new Set<string>();

  token(id: string): AckToken {
    return {
      hold: () => void this.holds++,
      release: () => {
        this.releases++;
        this.releasedIds.add(id);
      },
    };
  }
}

/** A logger recording its calls. */
export function recordingLogger() {
  const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
  const log =
    (level: string) =>
    (fields: object, msg: string): void =>
      void lines.push({ level, fields: fields as Record<string, unknown>, msg });
  const logger: CoreLogger = {
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
  };
  return { logger, lines };
}

/**
 * assemble → features → score → rules on a trained model, recording what became of every trace:
 * scored, or handed to the `failed` output (the dead letters), with metrics and log lines.
 */
export function poisonHarness(
  o: { failed?: PipelineOutputs["failed"]; core?: DetectionCore; clock?: ManualClock } = {},
) {
  const clock = o.clock ?? new ManualClock(1_700_000_000_000);
  const core = o.core ?? trainedCore(clock);
  const scored = new Map<string, number | null>();
  const failed: { traceId: string; failure: TraceFailure; spans: number }[] = [];
  const failedStages: PipelineStage[] = [];
  const repairs: GraphRepairs[] = [];
  const alerts: string[] = [];
  const { logger, lines } = recordingLogger();
  /** Test hooks into the outputs (to make one throw). */
  const hooks: { onScored?: (traceId: string) => void } = {};
  const outputs: PipelineOutputs = {
    alert: (a) => void alerts.push(a.type),
    scored: (s) => {
      hooks.onScored?.(s.features.traceId);
      scored.set(s.features.traceId, s.anomaly_score);
    },
    failed: (failure, trace) => {
      failed.push({ traceId: trace.traceId, failure, spans: trace.spans.length });
      return o.failed?.(failure, trace);
    },
  };
  const pipeline = new TracePipeline({
    detector: core.detector,
    alerter: core.alerter,
    outputs,
    logger,
    metrics: {
      scored: () => undefined,
      failed: (stage) => void failedStages.push(stage),
      repaired: (r) => void repairs.push(r),
    },
  });
  const assembler = new TraceAssembler({
    clock,
    processor: pipeline,
    decisionWaitMs: 1_000,
    rootGraceMs: 100,
  });
  const tokens = new Tokens();
  /** Feeds spans as one source message, then completes everything due after `decision_wait`. */
  const feed = async (spans: readonly Span[], messageId = "m"): Promise<void> => {
    assembler.add(spans, tokens.token(messageId));
  };
  const settle = async (): Promise<void> => {
    clock.advance(2_000);
    assembler.tick();
    await assembler.whenIdle();
  };
  return {
    hooks,
    clock,
    core,
    pipeline,
    assembler,
    tokens,
    scored,
    failed,
    failedStages,
    repairs,
    alerts,
    lines,
    feed,
    settle,
  };
}
