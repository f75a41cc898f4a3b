import { median } from "./ingest-common.js";

/** Spans per CPU second of each repetition's passes, paired by index (one repetition's passes). */
export interface PipelineRuns {
  readonly plain: readonly number[];
  readonly views: readonly number[];
  readonly sampling: readonly number[];
}

/**
 * The figures of repetitions (of one process, or of several concatenated): medians of the rates,
 * and of the ratios of each repetition's views and keeping passes to its plain pass.
 */
export function pipelineFigures(r: PipelineRuns) {
  const paired = (xs: readonly number[]) =>
    Math.round(median(xs.map((x, i) => x / (r.plain[i] as number))) * 1000) / 1000;
  return {
    pipeline_spans_per_sec: Math.round(median(r.plain)),
    on_call_views_spans_per_sec: Math.round(median(r.views)),
    on_call_views_ratio: paired(r.views),
    tail_sampling_spans_per_sec: Math.round(median(r.sampling)),
    tail_sampling_ratio: paired(r.sampling),
  };
}
