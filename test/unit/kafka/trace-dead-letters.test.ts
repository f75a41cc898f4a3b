import { describe, expect, it } from "vitest";
import { MessageRedactor } from "../../../src/decode/redact-message.js";
import { decodeSpans } from "../../../src/decode/index.js";
import type { Span } from "../../../src/domain/span.js";
import type { CompletedTrace } from "../../../src/domain/trace.js";
import { TracewatchError } from "../../../src/errors.js";
import { traceDeadLetter } from "../../../src/kafka/trace-dead-letters.js";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

function span(id: string, parent: string | null, attributes: Span["attributes"] = {}): Span {
  return {
    traceId: TRACE_ID,
    spanId: id,
    parentSpanId: parent,
    service: "checkout",
    name: "POST /pay",
    kind: "SERVER",
    startTimeUnixNano: 1_700_000_000_000_000_000n,
    endTimeUnixNano: 1_700_000_000_050_000_000n,
    status: "ERROR",
    attributes,
  };
}

const trace = (spans: Span[]): CompletedTrace => ({
  traceId: TRACE_ID,
  spans,
  reason: "idle",
  completedAtMs: 0,
});
const failure = {
  stage: "rules" as const,
  error: new TracewatchError(
    "TW_TRACE_FAILED",
    "rules: Cannot read properties of undefined (reading 'service')",
  ),
};
const header = (h: Record<string, unknown> | undefined, name: string): string | undefined =>
  h?.[name] === undefined ? undefined : String(h[name]);

describe("traceDeadLetter", () => {
  it("keys the trace's spans by trace id as OTLP protobuf, with the error's code, stage and message", () => {
    const spans = [span("00f067aa0ba902b7", null), span("00f067aa0ba902b8", "00f067aa0ba902b8")];
    const m = traceDeadLetter(trace(spans), failure);
    expect(m.key).toBe(TRACE_ID);
    expect(header(m.headers, "error.code")).toBe("TW_TRACE_FAILED");
    expect(header(m.headers, "error.stage")).toBe("rules");
    expect(header(m.headers, "error.message")).toBe(failure.error.message);
    expect(header(m.headers, "trace.spans")).toBe("2");
    expect(header(m.headers, "payload.encoding")).toBe("otlp_proto");
    const decoded = decodeSpans(m.value as Buffer);
    expect(decoded.rejected).toEqual([]);
    expect(decoded.spans.map((s) => [s.spanId, s.parentSpanId])).toEqual(
      spans.map((s) => [s.spanId, s.parentSpanId]),
    );
  });

  it("applies spec.redaction to the spans it keeps", () => {
    const redactor = new MessageRedactor({ actions: [{ action: "delete", key: "user.email" }] });
    const m = traceDeadLetter(
      trace([span("00f067aa0ba902b7", null, { "user.email": "a@b.example" })]),
      failure,
      redactor,
    );
    expect((m.value as Buffer).includes("a@b.example")).toBe(false);
    expect(decodeSpans(m.value as Buffer).spans[0]?.attributes).toEqual({});
  });

  it("keeps the error and no value when the spans cannot be encoded", () => {
    const broken = { ...span("00f067aa0ba902b7", null), startTimeUnixNano: undefined as never };
    const m = traceDeadLetter(trace([broken]), failure);
    expect(m.value).toBeNull();
    expect(header(m.headers, "error.code")).toBe("TW_TRACE_FAILED");
    expect(header(m.headers, "payload.encode_error")).toBeDefined();
  });
});
