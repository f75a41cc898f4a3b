import { describe, expect, it } from "vitest";
import { pipelineFigures } from "../../../src/bench/pipeline-figures.js";

describe("pipelineFigures", () => {
  it.each([
    {
      what: "pairs each repetition's passes (not a ratio of medians)",
      plain: [100, 200, 300],
      sampling: [90, 190, 240],
      // Per repetition 0.9, 0.95, 0.8; the ratio of medians would be 190 / 200 = 0.95.
      ratio: 0.9,
      rate: 200,
    },
    {
      what: "is not moved by one slow pass",
      plain: [300, 310, 305],
      sampling: [282, 150, 287],
      // 0.94, 0.484, 0.941; the ratio of medians would be 282 / 305 = 0.925.
      ratio: 0.94,
      rate: 305,
    },
    {
      what: "takes the middle pair of an even count",
      plain: [100, 100, 100, 100],
      sampling: [80, 90, 92, 99],
      ratio: 0.91,
      rate: 100,
    },
  ])("$what", ({ plain, sampling, ratio, rate }) => {
    const f = pipelineFigures({ plain, views: plain, sampling });
    expect(f.tail_sampling_ratio).toBe(ratio);
    expect(f.on_call_views_ratio).toBe(1);
    expect(f.pipeline_spans_per_sec).toBe(rate);
  });
});
