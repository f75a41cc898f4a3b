import { describe, expect, it } from "vitest";
import { alertId, type Alert } from "../../../src/core/alerts/alert.js";
import { ASSEMBLER_DEFAULTS, TraceAssembler } from "../../../src/core/assembler/index.js";
import { ManualClock } from "../../../src/core/clock.js";
import { loadConfig } from "../../../src/config/index.js";
import { TracePipeline } from "../../../src/pipeline/trace-pipeline.js";
import { buildDetectionCore } from "../../../src/service/detector.js";
import { cascadeTrace } from "./helpers.js";

const GRACE = ASSEMBLER_DEFAULTS.rootGraceMs;

/** The seed's rules (no model: cascade_failure needs none) behind an assembler on one manual clock. */
function assembled() {
  const clock = new ManualClock(1_700_000_000_000);
  const core = buildDetectionCore(loadConfig({ text: "" }, {}), clock);
  const alerts: Alert[] = [];
  const scored: number[] = [];
  const pipeline = new TracePipeline({
    detector: core.detector,
    alerter: core.alerter,
    outputs: {
      alert: (alert) => void alerts.push(alert),
      scored: (s) => void scored.push(s.features.span_count),
    },
  });
  const assembler = new TraceAssembler({ clock, processor: pipeline });
  const advance = async (ms: number) => {
    clock.advance(ms);
    assembler.tick();
    await new Promise((r) => setImmediate(r));
  };
  return { assembler, alerts, scored, advance };
}

describe("a trace re-opened by a late span, through the pipeline", () => {
  it("is scored again with all its spans and raises the alert only the whole trace fires, once", async () => {
    const { assembler, alerts, scored, advance } = assembled();
    // Six erroring spans in six services: cascade_failure (error_count > 5) fires only on all six.
    const spans = cascadeTrace(1).spans;
    assembler.add(spans.slice(0, 5));
    await advance(GRACE);
    expect({ scored, alerts: alerts.length }).toEqual({ scored: [5], alerts: 0 });

    assembler.add(spans.slice(5));
    await advance(GRACE);
    expect(scored).toEqual([5, 6]);
    expect(alerts.map((a) => [a.type, a.id])).toEqual([
      ["cascade_failure", alertId(spans[0]!.traceId, "cascade_failure")],
    ]);

    // Another late span re-scores it again; the alert already raised is not raised twice.
    assembler.add([{ ...spans[5]!, spanId: "00000000000000ff", parentSpanId: spans[5]!.spanId }]);
    await advance(GRACE);
    expect(scored).toEqual([5, 6, 7]);
    expect(alerts).toHaveLength(1);
    expect(assembler.stats()).toMatchObject({ reopenedTraces: 2, mergedLateSpans: 2, lateSpans: 0 });
  });
});
