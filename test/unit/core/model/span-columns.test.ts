import { describe, expect, it } from "vitest";
import { MODEL_FEATURES, SEED_FEATURES, type TraceFeatures } from "../../../../src/domain/features.js";
import {
  COLUMN_SETS,
  DEFAULT_COLUMN_SET,
  RAW_DIMS,
  RAW_INDEX,
  SELECTABLE_COLUMNS,
  writeRaw,
} from "../../../../src/core/model/transforms.js";

const f: TraceFeatures = {
  traceId: "0af7651916cd43dd8448eb211c80319c",
  startTimeMs: 0,
  total_duration: 120,
  span_count: 8,
  error_count: 1,
  service_hop_count: 4,
  max_span_duration: 100,
  affected_services: 1,
  erroring_services: ["cart"],
  edges: [],
  root_service: "frontend",
  root_operation: "GET /",
  group_key: "g",
};

describe("span-level model features", () => {
  it("the seed's five features select exactly the default column set", () => {
    const wanted = new Set<string>(SEED_FEATURES);
    expect(SELECTABLE_COLUMNS.filter((c) => wanted.has(c.feature))).toEqual(COLUMN_SETS[DEFAULT_COLUMN_SET]);
  });

  it("listing the span features adds their columns after the default set", () => {
    const wanted = new Set<string>(MODEL_FEATURES);
    expect(SELECTABLE_COLUMNS.filter((c) => wanted.has(c.feature)).map((c) => c.feature)).toEqual([
      ...COLUMN_SETS[DEFAULT_COLUMN_SET].map((c) => c.feature),
      "max_span_excess",
      "critical_path_excess_ms",
      "spans_over_p99",
    ]);
  });

  it.each<[string, Partial<TraceFeatures>, number[]]>([
    ["unknown span features are 0", {}, [0, 0, 0]],
    [
      "scored spans are stored",
      { max_span_excess: 4.5, critical_path_excess_ms: 120, spans_over_p99: 3 },
      [4.5, 120, 3],
    ],
  ])("writeRaw: %s", (_name, extra, want) => {
    const out = new Float64Array(RAW_DIMS);
    writeRaw({ ...f, ...extra }, out, 0);
    expect([...out.subarray(0, 5)]).toEqual([120, 8, 1, 4, 100]);
    expect([
      out[RAW_INDEX.max_span_excess],
      out[RAW_INDEX.critical_path_excess_ms],
      out[RAW_INDEX.spans_over_p99],
    ]).toEqual(want);
  });
});
