import { describe, expect, it } from "vitest";
import { serviceGraphEdges } from "../../../src/metrics/service-graph.js";
import { span } from "./spans.js";

describe("serviceGraphEdges", () => {
  it.each([
    ["a single span", [span(1, null, "gw")], []],
    ["a call inside one service", [span(1, null, "gw"), span(2, 1, "gw", { kind: "INTERNAL" })], []],
    [
      "a SERVER parent calling another service directly",
      [span(1, null, "gw", { durationMs: 30 }), span(2, 1, "orders", { durationMs: 20 })],
      [{ client: "gw", server: "orders", failed: false, serverSeconds: 0.02, clientSeconds: null }],
    ],
    [
      "a CLIENT span calling a SERVER span",
      [
        span(1, null, "gw"),
        span(2, 1, "gw", { kind: "CLIENT", durationMs: 25 }),
        span(3, 2, "orders", { durationMs: 20 }),
      ],
      [{ client: "gw", server: "orders", failed: false, serverSeconds: 0.02, clientSeconds: 0.025 }],
    ],
    [
      "an erroring server span",
      [span(1, null, "gw"), span(2, 1, "pay", { status: "ERROR" })],
      [{ client: "gw", server: "pay", failed: true, serverSeconds: 0.01, clientSeconds: null }],
    ],
    [
      "an erroring client span over a fine server span",
      [span(1, null, "gw", { kind: "CLIENT", status: "ERROR" }), span(2, 1, "pay")],
      [{ client: "gw", server: "pay", failed: true, serverSeconds: 0.01, clientSeconds: 0.01 }],
    ],
    ["an orphan span whose parent is missing", [span(1, null, "gw"), span(3, 2, "pay")], []],
  ])("%s", (_what, spans, expected) => {
    expect(serviceGraphEdges(spans)).toEqual(expected);
  });
});
