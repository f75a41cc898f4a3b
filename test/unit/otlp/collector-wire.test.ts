import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { exportTraceServiceRequestType, reverseFieldOrder } from "../../helpers/collector-wire.js";

const FIXTURE = new URL("../../fixtures/otlp/otelcol-kafka-otlp_proto-message.bin", import.meta.url);

describe("the test helper that writes OTLP as the Collector does", () => {
  it("turns a field-order encoding of the captured Collector message back into the Collector's exact bytes", () => {
    const collector = readFileSync(FIXTURE);
    const type = exportTraceServiceRequestType();
    const canonical = Buffer.from(type.encode(type.decode(collector)).finish());
    // Field-number order is not what the Collector wrote...
    expect(canonical.equals(collector)).toBe(false);
    // ...reversing every message's fields is.
    expect(reverseFieldOrder(type, canonical).equals(collector)).toBe(true);
  });
});
