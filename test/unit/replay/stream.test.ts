import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nativeJsonSpan } from "../../../src/decode/index.js";
import type { Span } from "../../../src/domain/span.js";
import { encodeOtlpJson, encodeOtlpProto } from "../../../src/otlp/index.js";
import { streamSpanFile, type SpanChunk } from "../../../src/replay/stream.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tw-stream-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function span(i: number): Span {
  const start = BigInt(1_700_000_000_000 + i * 10) * 1_000_000n;
  return {
    traceId: (Math.floor(i / 3) + 1).toString(16).padStart(32, "0"),
    spanId: (i + 1).toString(16).padStart(16, "0"),
    parentSpanId: null,
    service: `svc${i % 4}`,
    name: "op",
    kind: "SERVER",
    startTimeUnixNano: start,
    endTimeUnixNano: start + 5_000_000n,
    status: "UNSET",
    attributes: {},
  };
}

const SPANS = Array.from({ length: 25 }, (_, i) => span(i));

async function readAll(path: string, chunkSpans = 10, maxWholeFileBytes?: number): Promise<SpanChunk[]> {
  const out: SpanChunk[] = [];
  const o = maxWholeFileBytes === undefined ? { chunkSpans } : { chunkSpans, maxWholeFileBytes };
  for await (const c of streamSpanFile(path, o)) out.push(c);
  return out;
}

const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8");

describe("streamSpanFile", () => {
  it("streams native NDJSON in chunks with the bytes read, and names bad lines by their number", async () => {
    const lines = SPANS.map((s) => JSON.stringify(nativeJsonSpan(s)));
    lines.splice(4, 0, "{not json", "");
    const path = join(dir, "spans.ndjson");
    await writeFile(path, lines.join("\n") + "\n");
    const chunks = await readAll(path);
    expect(chunks.map((c) => c.spans.length)).toEqual([10, 10, 5]);
    expect(chunks.flatMap((c) => c.spans.map((s) => s.spanId))).toEqual(SPANS.map((s) => s.spanId));
    expect(chunks.flatMap((c) => c.rejected)).toEqual([expect.stringMatching(/^line 5: /)]);
    expect(chunks.at(-1)?.bytesRead).toBeGreaterThan(0);
  });

  it("streams gzipped OTLP JSON requests one per line", async () => {
    const body = [SPANS.slice(0, 12), SPANS.slice(12)].map((s) => text(encodeOtlpJson(s))).join("\n");
    const path = join(dir, "spans.json.gz");
    await writeFile(path, gzipSync(Buffer.from(body + "\n")));
    const chunks = await readAll(path);
    expect(chunks.map((c) => c.spans.length)).toEqual([12, 13]);
    expect(chunks.flatMap((c) => c.rejected)).toEqual([]);
  });

  it("streams the TrainTicket CSV, and refuses a file without its header", async () => {
    const header = "TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration";
    const rows = SPANS.map(
      (s) =>
        `${s.traceId},${s.spanId},root,ts-order-service-5d8c-x7k2p,op,${s.startTimeUnixNano},${s.endTimeUnixNano},5000`,
    );
    const path = join(dir, "spans.csv");
    await writeFile(path, [header, ...rows].join("\n") + "\n");
    const chunks = await readAll(path);
    expect(chunks.reduce((n, c) => n + c.spans.length, 0)).toBe(25);
    expect(chunks[0]?.spans[0]?.service).toBe("ts-order-service");
    const bad = join(dir, "bad.csv");
    await writeFile(bad, rows.join("\n"));
    await expect(readAll(bad)).rejects.toThrow(/unexpected header/);
  });

  it("reads a protobuf request or a JSON document spread over lines whole, up to the size limit", async () => {
    const pb = join(dir, "spans.pb");
    await writeFile(pb, encodeOtlpProto(SPANS));
    expect((await readAll(pb)).map((c) => c.spans.length)).toEqual([10, 10, 5]);
    await expect(readAll(pb, 10, 100)).rejects.toThrow(
      /a single OTLP protobuf request cannot be read span by span, and at \d+ bytes it is over the 100-byte limit/,
    );
    const pretty = join(dir, "spans.json");
    await writeFile(pretty, JSON.stringify(JSON.parse(text(encodeOtlpJson(SPANS))), null, 2));
    expect((await readAll(pretty)).reduce((n, c) => n + c.spans.length, 0)).toBe(25);
  });
});
