import { describe, expect, it } from "vitest";
import { assembleBenchReport, BENCH_TARGETS, FIGURE_KEYS, formatBench } from "../../../src/bench/report.js";
import type { RunEnvironment } from "../../../src/bench/report-env.js";
import { checkTargets, figureAt, verdict } from "../../../src/bench/report-targets.js";

const ENV: RunEnvironment = {
  machine: { cpu_model: "Test CPU", cores: 2, memory_gib: 4, os: "linux test x64" },
  node: "v20.0.0",
  commit: "abc",
  date: "2026-01-01T00:00:00.000Z",
};

describe("figureAt", () => {
  it.each([
    { path: "a", expected: 1 },
    { path: "b.c", expected: 2.5 },
    { path: "b.missing", expected: null },
    { path: "d", expected: null },
    { path: "e", expected: null },
    { path: "a.x", expected: null },
  ])("reads $path", ({ path, expected }) => {
    expect(figureAt({ a: 1, b: { c: 2.5 }, d: "3", e: Number.NaN }, path)).toBe(expected);
  });
});

describe("checkTargets", () => {
  it.each([
    { op: ">=", value: 10, measured: 10, pass: true },
    { op: ">=", value: 10, measured: 9.9, pass: false },
    { op: "<=", value: 50, measured: 49, pass: true },
    { op: "<=", value: 50, measured: 51, pass: false },
    { op: "==", value: 0, measured: 0, pass: true },
    { op: "==", value: 0, measured: 1, pass: false },
  ] as const)("$measured $op $value is $pass", ({ op, value, measured, pass }) => {
    const [r] = checkTargets({ x: measured }, [{ figure: "x", op, value }]);
    expect(r?.pass).toBe(pass);
    expect(r?.measured).toBe(measured);
  });

  it("reports a missing figure as not checked", () => {
    const [r] = checkTargets({}, [{ figure: "x", op: ">=", value: 1 }]);
    expect(r).toEqual({ figure: "x", measured: null, target: "≥ 1", pass: null });
    expect(verdict(r!.pass)).toBe("n/a");
  });
});

describe("assembleBenchReport", () => {
  const report = assembleBenchReport(
    {
      pipeline: { figures: { pipeline_spans_per_sec: 300_000 }, runs: { pipeline_spans_per_sec: 5 } },
      model: {
        figures: {
          score_traces_per_sec: 100_000,
          ml_isolation_forest_score_traces_per_sec: 20_000,
          score_speedup_vs_ml_isolation_forest: 5,
          auc_ours: 0.95,
          auc_ml_isolation_forest: 0.955,
        },
        runs: { score_traces_per_sec: 5 },
      },
      alert_latency: {
        figures: { alert_latency_p99_ms: 80 },
        runs: { alert_latency_p99_ms: 3 },
        details: { alerts_per_run: 100 },
      },
    },
    { kafka: "skipped (--skip-kafka)" },
    ENV,
    1234,
    false,
  );

  it("has every headline figure, null for parts that did not run", () => {
    for (const key of FIGURE_KEYS) expect(report).toHaveProperty(key);
    expect(report.pipeline_spans_per_sec).toBe(300_000);
    expect(report.kafka_spans_per_sec).toBeNull();
    expect(report.runs).toEqual({
      pipeline_spans_per_sec: 5,
      score_traces_per_sec: 5,
      alert_latency_p99_ms: 3,
    });
    expect(report.details).toEqual({ alert_latency: { alerts_per_run: 100 } });
    expect(report.not_measured).toEqual({ kafka: "skipped (--skip-kafka)" });
    expect(report.commit).toBe("abc");
  });

  it.each([
    { figure: "pipeline_spans_per_sec", pass: true },
    { figure: "kafka_spans_per_sec", pass: null },
    { figure: "score_speedup_vs_ml_isolation_forest", pass: false },
    { figure: "derived.auc_margin", pass: true },
    { figure: "bytes_per_buffered_span", pass: null },
    { figure: "alert_latency_p99_ms", pass: false },
  ])("checks the $figure target", ({ figure, pass }) => {
    expect(report.targets.find((t) => t.figure === figure)?.pass).toBe(pass);
  });

  it.each([
    { decode: 1_000_000, ratio: 0.3, pass: true },
    { decode: 1_500_000, ratio: 0.2, pass: false },
    { decode: null, ratio: null, pass: null },
  ])("checks the pipeline against the decoder of the same run: decode $decode", ({ decode, ratio, pass }) => {
    const r = assembleBenchReport(
      {
        pipeline: { figures: { pipeline_spans_per_sec: 300_000 }, runs: { pipeline_spans_per_sec: 5 } },
        ...(decode === null
          ? {}
          : {
              decode: {
                figures: { decode_otlp_spans_per_sec: decode },
                runs: { decode_otlp_spans_per_sec: 5 },
              },
            }),
      },
      {},
      ENV,
      1,
      false,
    );
    const t = r.targets.find((x) => x.figure === "derived.pipeline_decode_ratio");
    expect(t?.measured).toBe(ratio);
    expect(t?.pass).toBe(pass);
  });

  it("checks one target per issue-7 performance target", () => {
    expect(report.targets).toHaveLength(BENCH_TARGETS.length);
  });

  it("prints a table with values, verdicts and what was not measured", () => {
    const text = formatBench(report);
    expect(text).toContain("pipeline_spans_per_sec");
    expect(text).toContain("300,000 spans/s");
    expect(text).toMatch(/alert_latency_p99_ms\s+80 ms\s+3\s+≤ 50\s+MISS/);
    expect(text).toContain("not measured: kafka: skipped (--skip-kafka)");
  });
});
