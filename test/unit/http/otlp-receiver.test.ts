import { gzipSync, deflateSync } from "node:zlib";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { afterEach, describe, expect, it } from "vitest";
import { TracewatchError } from "../../../src/errors.js";
import {
  createOtlpReceiver,
  type OtlpIngestResult,
  type OtlpReceiverOptions,
} from "../../../src/http/otlp-receiver.js";

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

interface Call {
  body: Buffer;
  encoding: string;
}

async function start(
  overrides: Partial<OtlpReceiverOptions> = {},
  result: OtlpIngestResult = { accepted: 2, rejected: 0 },
) {
  const calls: Call[] = [];
  const codes: number[] = [];
  const receiver = createOtlpReceiver({
    host: "127.0.0.1",
    port: 0,
    maxBodyBytes: 1024,
    ingest: (body, encoding) => {
      calls.push({ body: Buffer.from(body), encoding });
      return result;
    },
    onResponse: (code) => codes.push(code),
    ...overrides,
  });
  running.push(receiver);
  const { url } = await receiver.listen();
  const post = (body: Uint8Array | string, headers: Record<string, string>) =>
    fetch(`${url}/v1/traces`, { method: "POST", body, headers });
  return { calls, codes, post };
}

const PROTO = { "content-type": "application/x-protobuf" };
const JSON_TYPE = { "content-type": "application/json" };
const OTLP_JSON = '{"resourceSpans":[]}';

describe("OTLP/HTTP receiver", () => {
  it("hands a protobuf body to ingest and answers an empty ExportTraceServiceResponse", async () => {
    const { calls, post } = await start();
    const res = await post(Uint8Array.from([0x0a, 0x00]), PROTO);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-protobuf");
    expect((await res.arrayBuffer()).byteLength).toBe(0);
    expect(calls).toEqual([{ body: Buffer.from([0x0a, 0x00]), encoding: "otlp_proto" }]);
  });

  it("hands a JSON body (with charset) to ingest as otlp_json and answers {}", async () => {
    const { calls, post } = await start();
    const res = await post(OTLP_JSON, { "content-type": "application/json; charset=utf-8" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(calls[0]?.encoding).toBe("otlp_json");
  });

  it.each([
    ["gzip", gzipSync],
    ["deflate", deflateSync],
  ])("decompresses a %s body", async (encoding, compress) => {
    const { calls, post } = await start();
    const res = await post(compress(Buffer.from(OTLP_JSON)), { ...JSON_TYPE, "content-encoding": encoding });
    expect(res.status).toBe(200);
    expect(calls[0]?.body.toString()).toBe(OTLP_JSON);
  });

  it("reports rejected spans as partial success in protobuf", async () => {
    const { post } = await start({}, { accepted: 1, rejected: 2, errorMessage: "span 1: invalid trace id" });
    const res = await post(Uint8Array.from([0x0a, 0x00]), PROTO);
    expect(res.status).toBe(200);
    const decoded = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await res.arrayBuffer()));
    expect(Number(decoded.partialSuccess?.rejectedSpans)).toBe(2);
    expect(decoded.partialSuccess?.errorMessage).toBe("span 1: invalid trace id");
  });

  it("reports rejected spans as partial success in JSON", async () => {
    const { post } = await start({}, { accepted: 0, rejected: 1, errorMessage: "bad" });
    const res = await post(OTLP_JSON, JSON_TYPE);
    expect(await res.json()).toEqual({ partialSuccess: { rejectedSpans: "1", errorMessage: "bad" } });
  });

  it.each([
    [
      "an undecodable body",
      {},
      { accepted: 0, rejected: 0, malformed: true, errorMessage: "invalid OTLP protobuf: truncated" },
      Uint8Array.from([0x0a, 0x05]),
      PROTO,
      400,
    ],
    ["a body over the limit", {}, undefined, new Uint8Array(2048), PROTO, 413],
    [
      "a gzip body inflating over the limit",
      {},
      undefined,
      gzipSync(Buffer.alloc(4096)),
      { ...PROTO, "content-encoding": "gzip" },
      413,
    ],
    [
      "a corrupt gzip body",
      {},
      undefined,
      Uint8Array.from([1, 2, 3]),
      { ...PROTO, "content-encoding": "gzip" },
      400,
    ],
    [
      "an unknown content encoding",
      {},
      undefined,
      Uint8Array.from([1]),
      { ...PROTO, "content-encoding": "br" },
      415,
    ],
    ["an unsupported media type", {}, undefined, "spans", { "content-type": "text/plain" }, 415],
    [
      "back-pressure",
      { isOverloaded: (): boolean => true },
      undefined,
      Uint8Array.from([0x0a, 0x00]),
      PROTO,
      503,
    ],
    [
      "back-pressure answered with 429",
      { isOverloaded: (): boolean => true, overloadStatus: 429 as const },
      undefined,
      OTLP_JSON,
      JSON_TYPE,
      429,
    ],
  ])("answers %s with its status", async (_what, overrides, result, body, headers, status) => {
    const { post, calls, codes } = await start(overrides, result);
    const res = await post(body, headers);
    expect(res.status).toBe(status);
    if (status === 400 || status === 413 || status === 503) {
      // 4xx/5xx bodies are google.rpc.Status in the request's format
      expect(res.headers.get("content-type")).toBe(headers["content-type"]);
    }
    if (status === 503 || status === 429) {
      expect(res.headers.get("retry-after")).toBe("1");
      expect(calls).toEqual([]);
    }
    expect(codes).toEqual([status]);
  });

  it("carries the decode error in the 400 Status message", async () => {
    const { post } = await start(
      {},
      { accepted: 0, rejected: 0, malformed: true, errorMessage: "invalid JSON: Unexpected token" },
    );
    const res = await post("{not json", JSON_TYPE);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 3, message: "invalid JSON: Unexpected token" });
  });

  it("answers 503 with Retry-After when ingest reports a full queue", async () => {
    const { post } = await start({
      ingest: () => {
        throw new TracewatchError("TW_QUEUE_FULL", "assembler is full", { retriable: true });
      },
      retryAfterSeconds: 5,
    });
    const res = await post(OTLP_JSON, JSON_TYPE);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
  });

  it("answers 500 without details when ingest fails unexpectedly", async () => {
    const { post } = await start({
      ingest: () => {
        throw new Error("secret internals");
      },
    });
    const res = await post(OTLP_JSON, JSON_TYPE);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain("secret internals");
  });

  it("accepts an empty body as an empty export without calling ingest", async () => {
    const { post, calls } = await start();
    const res = await post(new Uint8Array(0), PROTO);
    expect(res.status).toBe(200);
    expect(calls).toEqual([]);
  });

  it("closes idempotently", async () => {
    const receiver = createOtlpReceiver({ port: 0, ingest: () => ({ accepted: 0, rejected: 0 }) });
    await receiver.listen();
    await Promise.all([receiver.close(), receiver.close()]);
  });
});
