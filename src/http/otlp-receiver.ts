import { promisify } from "node:util";
import { gunzip, inflate } from "node:zlib";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { describeError, isTracewatchError } from "../errors.js";
import { httpServer, rawBodyServer, type ConnectionLimits, type HttpServer } from "./listen.js";
import { CONTENT_TYPES, GrpcCode, encodeExportResponse, encodeStatus, type OtlpFormat } from "./otlp-wire.js";

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** What the pipeline did with one export request's spans. */
export interface OtlpIngestResult {
  /** Spans taken into the pipeline. */
  readonly accepted: number;
  /** Spans refused (invalid ids, times, ...); reported to the client as partial success. */
  readonly rejected: number;
  /** Why spans were refused (short, no payload dump). */
  readonly errorMessage?: string;
  /** The body could not be decoded at all: answered 400 with `errorMessage`. */
  readonly malformed?: boolean;
}

/** Hands one decompressed request body to the pipeline (decode → assemble). */
export type OtlpIngest = (
  body: Uint8Array,
  encoding: "otlp_proto" | "otlp_json",
) => OtlpIngestResult | Promise<OtlpIngestResult>;

/** Options of {@link createOtlpReceiver}. */
export interface OtlpReceiverOptions {
  /** Listen address; default 127.0.0.1. */
  readonly host?: string;
  /** Listen port; default 4318; 0 picks a free port. */
  readonly port?: number;
  /** Largest body, compressed and decompressed, bytes; larger requests get 413. Default 4 MiB. */
  readonly maxBodyBytes?: number;
  /** Timeouts and connection cap against slow clients; defaults in {@link ConnectionLimits}. */
  readonly limits?: ConnectionLimits;
  readonly ingest: OtlpIngest;
  /** True while the pipeline applies back-pressure: requests get `overloadStatus` + Retry-After. */
  readonly isOverloaded?: () => boolean;
  /** 503 (default) or 429. */
  readonly overloadStatus?: 429 | 503;
  /** Retry-After seconds on back-pressure answers; default 1. */
  readonly retryAfterSeconds?: number;
  readonly logger?: Logger;
  /** Called once per answered request with its status code (e.g. a metrics counter). */
  readonly onResponse?: (statusCode: number) => void;
}

/** A running (or ready to run) OTLP/HTTP trace receiver. */
export type OtlpReceiver = HttpServer;

const PROTOBUF_TYPES = ["application/x-protobuf", "application/protobuf"];

function formatOf(request: FastifyRequest): OtlpFormat {
  const type = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return PROTOBUF_TYPES.includes(type) ? "protobuf" : "json";
}

function sendStatus(
  reply: FastifyReply,
  http: number,
  grpc: number,
  message: string,
  format: OtlpFormat,
): FastifyReply {
  return reply
    .code(http)
    .header("content-type", CONTENT_TYPES[format])
    .send(Buffer.from(encodeStatus(grpc, message, format)));
}

class HttpFailure extends Error {
  constructor(
    readonly http: number,
    readonly grpc: number,
    message: string,
  ) {
    super(message);
  }
}

async function decompress(body: Buffer, encoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const name = (encoding ?? "identity").trim().toLowerCase();
  if (name === "identity" || name === "") return body;
  if (name !== "gzip" && name !== "deflate")
    throw new HttpFailure(
      415,
      GrpcCode.INVALID_ARGUMENT,
      `unsupported Content-Encoding "${name}" (gzip, deflate, identity)`,
    );
  try {
    const inflateFn = name === "gzip" ? gunzipAsync : inflateAsync;
    return await inflateFn(body, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new HttpFailure(413, GrpcCode.RESOURCE_EXHAUSTED, `decompressed body exceeds ${maxBytes} bytes`);
    }
    throw new HttpFailure(400, GrpcCode.INVALID_ARGUMENT, `body is not valid ${name}: ${describeError(err)}`);
  }
}

function registerRoutes(app: FastifyInstance, options: OtlpReceiverOptions, maxBodyBytes: number): void {
  const log = options.logger;
  app.post("/v1/traces", async (request, reply) => {
    const format = formatOf(request);
    const body = await decompress(
      request.body as Buffer,
      request.headers["content-encoding"] as string | undefined,
      maxBodyBytes,
    );
    if (body.byteLength === 0) {
      return reply
        .header("content-type", CONTENT_TYPES[format])
        .send(Buffer.from(encodeExportResponse(null, format)));
    }
    const result = await options.ingest(body, format === "protobuf" ? "otlp_proto" : "otlp_json");
    if (result.malformed === true) {
      log?.debug({ reason: result.errorMessage }, "otlp request undecodable");
      return sendStatus(
        reply,
        400,
        GrpcCode.INVALID_ARGUMENT,
        result.errorMessage ?? "body could not be decoded",
        format,
      );
    }
    const partial =
      result.rejected > 0
        ? { rejectedSpans: result.rejected, errorMessage: result.errorMessage ?? "" }
        : null;
    return reply
      .header("content-type", CONTENT_TYPES[format])
      .send(Buffer.from(encodeExportResponse(partial, format)));
  });
}

function registerErrorHandling(
  app: FastifyInstance,
  options: OtlpReceiverOptions,
  maxBodyBytes: number,
): void {
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  const overloaded = (reply: FastifyReply, format: OtlpFormat) =>
    sendStatus(
      reply.header("retry-after", retryAfter),
      options.overloadStatus ?? 503,
      GrpcCode.UNAVAILABLE,
      "pipeline is applying back-pressure, retry later",
      format,
    );
  app.addHook("onRequest", async (request, reply) => {
    if (request.method === "POST" && options.isOverloaded?.() === true)
      return overloaded(reply, formatOf(request));
  });
  app.addHook("onResponse", async (_request, reply) => options.onResponse?.(reply.statusCode));
  app.setErrorHandler((err: unknown, request, reply) => {
    const format = formatOf(request);
    if (err instanceof HttpFailure) return sendStatus(reply, err.http, err.grpc, err.message, format);
    const code = (err as { code?: string }).code;
    if (code === "FST_ERR_CTP_BODY_TOO_LARGE")
      return sendStatus(
        reply,
        413,
        GrpcCode.RESOURCE_EXHAUSTED,
        `body exceeds ${maxBodyBytes} bytes`,
        format,
      );
    if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || code === "FST_ERR_CTP_INVALID_TYPE") {
      return sendStatus(
        reply,
        415,
        GrpcCode.INVALID_ARGUMENT,
        "Content-Type must be application/x-protobuf or application/json",
        "json",
      );
    }
    if (isTracewatchError(err, "TW_QUEUE_FULL")) return overloaded(reply, format);
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500)
      return sendStatus(reply, status, GrpcCode.INVALID_ARGUMENT, describeError(err), format);
    options.logger?.error({ err }, "otlp request failed");
    return sendStatus(reply, 500, GrpcCode.INTERNAL, "internal error", format);
  });
}

/**
 * The OTLP/HTTP trace receiver (`POST /v1/traces`) as the OpenTelemetry SDK exporters call it:
 * protobuf or JSON bodies, optionally gzip/deflate, answered with ExportTraceServiceResponse
 * (partial success when spans were refused) or a google.rpc.Status on 400/413/415/429/503/500.
 */
export function createOtlpReceiver(options: OtlpReceiverOptions): OtlpReceiver {
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const app = rawBodyServer(maxBodyBytes, [...PROTOBUF_TYPES, "application/json"], options.limits);
  registerErrorHandling(app, options, maxBodyBytes);
  registerRoutes(app, options, maxBodyBytes);
  return httpServer(app, options.host ?? "127.0.0.1", options.port ?? 4318, {
    server: "the OTLP/HTTP receiver",
    portKey: "spec.sources.otlp_http.port",
    portEnv: "TRACEWATCH_OTLP_PORT",
    hostKey: "spec.sources.otlp_http.host",
  });
}
