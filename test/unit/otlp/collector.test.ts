import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeSpans } from "../../../src/decode/index.js";

const bytes = readFileSync(
  join(import.meta.dirname, "../../fixtures/otlp/otelcol-kafka-otlp_proto-message.bin"),
);

// The Collector writes every message's fields in reverse order: scope_spans before resource,
// value before key. See test/fixtures/otlp/README.md.
describe("a message written by the OpenTelemetry Collector's kafka exporter", () => {
  it("decodes with its resource's service name and its spans' attributes", () => {
    const result = decodeSpans(bytes, { attributes: { mode: "all" } });
    expect(result.encoding).toBe("otlp_proto");
    expect(result.rejected).toEqual([]);
    expect(result.spans).toEqual([
      {
        traceId: "ccf139f37da10a78a04dbc22f305a65d",
        spanId: "99cc86cd44802bbc",
        parentSpanId: "fc2657ab03500b72",
        service: "inventory",
        name: "UPDATE db",
        kind: "CLIENT",
        startTimeUnixNano: 1796401951089923584n,
        endTimeUnixNano: 1796401951095510254n,
        status: "UNSET",
        attributes: { "server.address": "db", "peer.service": "db" },
      },
      {
        traceId: "ccf139f37da10a78a04dbc22f305a65d",
        spanId: "fc2657ab03500b72",
        parentSpanId: "6ffdfed746262a0a",
        service: "inventory",
        name: "POST /reserve",
        kind: "SERVER",
        startTimeUnixNano: 1796401951084978027n,
        endTimeUnixNano: 1796401951096568604n,
        status: "UNSET",
        attributes: {
          "http.route": "/reserve",
          "http.request.method": "POST",
          "http.response.status_code": 200,
        },
      },
    ]);
  });

  it("keeps the attributes configured by key on every span", () => {
    const spans = decodeSpans(bytes, { attributes: { mode: "none", keys: ["http.route"] } }).spans;
    expect(spans.map((s) => [s.service, s.attributes])).toEqual([
      ["inventory", {}],
      ["inventory", { "http.route": "/reserve" }],
    ]);
  });
});
