import { connect, constants as h2 } from "node:http2";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as grpc from "@grpc/grpc-js";
import protobuf from "protobufjs";
import { afterEach, describe, expect, it } from "vitest";
import { TracewatchError } from "../../../src/errors.js";
import { RETRY_INFO_TYPE_URL } from "../../../src/http/grpc-status.js";
import {
  TRACE_EXPORT_PATH,
  createOtlpGrpcReceiver,
  type OtlpGrpcReceiverOptions,
} from "../../../src/http/otlp-grpc-receiver.js";
import type { OtlpIngestResult } from "../../../src/http/otlp-receiver.js";

// The reference: protobufjs reading the vendored OTLP proto and google.rpc's messages.
const root = new protobuf.Root();
const PROTO_DIR = fileURLToPath(new URL("../../../vendor/opentelemetry-proto/", import.meta.url));
root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
root.loadSync("opentelemetry/proto/collector/trace/v1/trace_service.proto", { keepCase: true });
const ExportResponse = root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse");
const rpc = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: "string", id: 1 }, value: { type: "bytes", id: 2 } } },
            Duration: { fields: { seconds: { type: "int64", id: 1 }, nanos: { type: "int32", id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: "int32", id: 1 },
                message: { type: "string", id: 2 },
                details: { rule: "repeated", type: "google.protobuf.Any", id: 3 },
              },
            },
            RetryInfo: { fields: { retry_delay: { type: "google.protobuf.Duration", id: 1 } } },
          },
        },
      },
    },
  },
});
const Status = rpc.lookupType("google.rpc.Status");
const RetryInfo = rpc.lookupType("google.rpc.RetryInfo");

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function start(
  overrides: Partial<OtlpGrpcReceiverOptions> = {},
  result: OtlpIngestResult | (() => OtlpIngestResult) = { accepted: 2, rejected: 0 },
) {
  const bodies: Buffer[] = [];
  const codes: number[] = [];
  const receiver = createOtlpGrpcReceiver({
    host: "127.0.0.1",
    port: 0,
    maxMessageBytes: 1024,
    ingest: (body, encoding) => {
      expect(encoding).toBe("otlp_proto");
      bodies.push(Buffer.from(body));
      return typeof result === "function" ? result() : result;
    },
    onResponse: (code) => codes.push(code),
    ...overrides,
  });
  running.push(receiver);
  const address = await receiver.listen();
  return { bodies, codes, address };
}

interface Outcome {
  error: grpc.ServiceError | null;
  response: Buffer | undefined;
}

function exportCall(port: number, request: Buffer, clientOptions: grpc.ClientOptions = {}): Promise<Outcome> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), clientOptions);
  running.push({ close: async () => client.close() });
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      TRACE_EXPORT_PATH,
      (b: Buffer) => b,
      (b: Buffer) => b,
      request,
      (error, response) => resolve({ error, response }),
    );
  });
}

/** A gRPC frame: compressed flag, 4-byte length, message. */
function frame(message: Buffer, compressed: boolean): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(compressed ? 1 : 0, 0);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** One call over a plain HTTP/2 client, to control the bytes (compression) and the timing. */
function rawCall(
  port: number,
  headers: Record<string, string>,
  send: (stream: ReturnType<ReturnType<typeof connect>["request"]>) => void,
): Promise<{ status: string | undefined; message: string | undefined; body: Buffer }> {
  const session = connect(`http://127.0.0.1:${port}`);
  // The server may end the session (GOAWAY) after answering; the answer is what is checked.
  session.on("error", () => undefined);
  running.push({ close: async () => void session.close() });
  return new Promise((resolve, reject) => {
    const stream = session.request({
      [h2.HTTP2_HEADER_METHOD]: "POST",
      [h2.HTTP2_HEADER_PATH]: TRACE_EXPORT_PATH,
      "content-type": "application/grpc",
      te: "trailers",
      ...headers,
    });
    const chunks: Buffer[] = [];
    const settle = (t: Record<string, unknown>) =>
      resolve({
        status: t["grpc-status"] as string | undefined,
        message: t["grpc-message"] as string | undefined,
        body: Buffer.concat(chunks),
      });
    stream.on("data", (c: Buffer) => chunks.push(c));
    // A trailers-only answer carries the status in its headers.
    stream.on("response", (headers) => {
      if (headers["grpc-status"] !== undefined) settle(headers);
    });
    stream.on("trailers", settle);
    stream.on("error", reject);
    send(stream);
  });
}

const REQUEST = Buffer.from([0x0a, 0x00]);

function retryDelayOf(error: grpc.ServiceError): {
  code: number;
  message: string;
  seconds: number;
  nanos: number;
} {
  const [bin] = error.metadata.get("grpc-status-details-bin");
  expect(Buffer.isBuffer(bin)).toBe(true);
  const status = Status.toObject(Status.decode(bin as Buffer), { longs: Number }) as {
    code: number;
    message: string;
    details: { type_url: string; value: Uint8Array }[];
  };
  expect(status.details).toHaveLength(1);
  expect(status.details[0]!.type_url).toBe(RETRY_INFO_TYPE_URL);
  const info = RetryInfo.toObject(RetryInfo.decode(status.details[0]!.value), { longs: Number }) as {
    retry_delay: { seconds?: number; nanos?: number };
  };
  return {
    code: status.code,
    message: status.message,
    seconds: info.retry_delay.seconds ?? 0,
    nanos: info.retry_delay.nanos ?? 0,
  };
}

describe("OTLP/gRPC receiver", () => {
  it("hands the request bytes to ingest unchanged and answers an empty ExportTraceServiceResponse", async () => {
    const { bodies, codes, address } = await start();
    expect(address.url).toBe(`grpc://127.0.0.1:${address.port}`);
    const { error, response } = await exportCall(address.port, REQUEST);
    expect(error).toBeNull();
    expect(response!.byteLength).toBe(0);
    expect(bodies).toEqual([REQUEST]);
    expect(codes).toEqual([grpc.status.OK]);
  });

  it("reports refused spans as partial success (rejected_spans, error_message)", async () => {
    const { address } = await start({}, { accepted: 3, rejected: 2, errorMessage: "span 1: bad trace id" });
    const { error, response } = await exportCall(address.port, REQUEST);
    expect(error).toBeNull();
    expect(ExportResponse.toObject(ExportResponse.decode(response!), { longs: Number })).toEqual({
      partial_success: { rejected_spans: 2, error_message: "span 1: bad trace id" },
    });
  });

  it("answers INVALID_ARGUMENT (not retryable) for a message that cannot be decoded", async () => {
    const { codes, address } = await start(
      {},
      { accepted: 0, rejected: 0, malformed: true, errorMessage: "truncated" },
    );
    const { error } = await exportCall(address.port, Buffer.from([0x0a, 0x05]));
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toBe("truncated");
    expect(error?.metadata.get("grpc-status-details-bin")).toEqual([]);
    expect(codes).toEqual([grpc.status.INVALID_ARGUMENT]);
  });

  it("answers UNAVAILABLE with RetryInfo under back-pressure without calling ingest", async () => {
    const { bodies, address } = await start({ isOverloaded: () => true, retryDelayMs: 2_500 });
    const { error } = await exportCall(address.port, REQUEST);
    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(retryDelayOf(error!)).toEqual({
      code: grpc.status.UNAVAILABLE,
      message: "pipeline is applying back-pressure, retry later",
      seconds: 2,
      nanos: 500_000_000,
    });
    expect(bodies).toEqual([]);
  });

  it("answers RESOURCE_EXHAUSTED with RetryInfo (retryable) when so configured, and when the queue is full", async () => {
    const { address } = await start({ overloadCode: "RESOURCE_EXHAUSTED" }, () => {
      throw new TracewatchError("TW_QUEUE_FULL", "full");
    });
    const { error } = await exportCall(address.port, REQUEST);
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(retryDelayOf(error!)).toMatchObject({
      code: grpc.status.RESOURCE_EXHAUSTED,
      seconds: 1,
      nanos: 0,
    });
  });

  it("answers INTERNAL when ingest throws unexpectedly", async () => {
    const { address } = await start({}, () => {
      throw new Error("boom");
    });
    const { error } = await exportCall(address.port, REQUEST);
    expect(error?.code).toBe(grpc.status.INTERNAL);
    expect(error?.details).toBe("internal error");
  });

  it("decompresses a gzip request (grpc-encoding: gzip)", async () => {
    const { bodies, address } = await start();
    const message = Buffer.from([0x0a, 0x03, 0x0a, 0x01, 0x00]);
    const res = await rawCall(address.port, { "grpc-encoding": "gzip" }, (s) =>
      s.end(frame(gzipSync(message), true)),
    );
    expect(res.status).toBe(String(grpc.status.OK));
    expect(bodies).toEqual([message]);
  });

  it("takes gzip requests from a grpc-js client with compression on", async () => {
    const { bodies, address } = await start();
    const message = Buffer.alloc(600, 0x0a);
    const { error } = await exportCall(address.port, message, {
      "grpc.default_compression_algorithm": grpc.compressionAlgorithms.gzip,
    });
    expect(error).toBeNull();
    expect(bodies).toEqual([message]);
  });

  it("refuses a message above max_message_bytes with RESOURCE_EXHAUSTED, compressed or not", async () => {
    const { bodies, address } = await start();
    const big = Buffer.alloc(2048, 1);
    const plain = await exportCall(address.port, big);
    expect(plain.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    // 2 KiB of one byte gzips to a few dozen bytes: the decompressed size counts.
    const zipped = await rawCall(address.port, { "grpc-encoding": "gzip" }, (s) =>
      s.end(frame(gzipSync(big), true)),
    );
    expect(zipped.status).toBe(String(grpc.status.RESOURCE_EXHAUSTED));
    expect(bodies).toEqual([]);
  });

  it("ends a call whose message does not arrive within the request timeout with DEADLINE_EXCEEDED", async () => {
    const { bodies, codes, address } = await start({ limits: { requestTimeoutMs: 200 } });
    // The frame promises 10 bytes and sends 2: a client stalled mid-request.
    const head = Buffer.from([0, 0, 0, 0, 10, 0x0a, 0x00]);
    const res = await rawCall(address.port, {}, (s) => s.write(head));
    expect(res.status).toBe(String(grpc.status.DEADLINE_EXCEEDED));
    expect(bodies).toEqual([]);
    expect(codes).toEqual([grpc.status.DEADLINE_EXCEEDED]);
  });

  it("does not time out a call grpc-js already refused (the request timer stops with the call)", async () => {
    const { codes, address } = await start({ limits: { requestTimeoutMs: 100 } });
    const { error } = await exportCall(address.port, Buffer.alloc(2048, 1));
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(codes).toEqual([]);
  });

  it("closes a connection without calls after the keep-alive timeout (GOAWAY)", async () => {
    const { address } = await start({ limits: { keepAliveTimeoutMs: 200 } });
    const session = connect(`http://127.0.0.1:${address.port}`);
    session.on("error", () => undefined);
    running.push({ close: async () => void session.destroy() });
    const closed = new Promise<string>((resolve) => {
      session.once("goaway", () => resolve("goaway"));
      session.once("close", () => resolve("close"));
    });
    const res = await rawCall(address.port, {}, (s) => s.end(frame(REQUEST, false)));
    expect(res.status).toBe("0");
    // The call above used its own session; this one stays idle from the start.
    await expect(closed).resolves.toBe("goaway");
  });

  it("holds at most max_connections connections, closing further ones as they arrive", async () => {
    const { bodies, address } = await start({ limits: { maxConnections: 1 } });
    const first = connect(`http://127.0.0.1:${address.port}`);
    first.on("error", () => undefined);
    running.push({ close: async () => void first.destroy() });
    await new Promise<void>((resolve) => first.once("connect", () => resolve()));
    const { error } = await exportCall(address.port, REQUEST);
    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(bodies).toEqual([]);
    first.destroy();
    // With the first connection gone (closed on the server's side a moment later), one is taken again.
    let again = await exportCall(address.port, REQUEST, { "grpc.use_local_subchannel_pool": 1 });
    for (let i = 0; i < 20 && again.error !== null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      again = await exportCall(address.port, REQUEST, { "grpc.use_local_subchannel_pool": 1 });
    }
    expect(again.error).toBeNull();
  });

  it("names the setting that moves it when its port is taken", async () => {
    const { address } = await start();
    const second = createOtlpGrpcReceiver({
      host: "127.0.0.1",
      port: address.port,
      ingest: () => ({ accepted: 0, rejected: 0 }),
    });
    running.push(second);
    const err = await second.listen().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TracewatchError);
    expect((err as TracewatchError).code).toBe("TW_LISTEN_FAILED");
    expect((err as Error).message).toContain("spec.sources.otlp_grpc.port (or TRACEWATCH_OTLP_GRPC_PORT)");
  });
});
