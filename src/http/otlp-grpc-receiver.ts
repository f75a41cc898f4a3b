import { createServer, type AddressInfo, type Server as NetServer } from "node:net";
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "pino";
import { describeError, isTracewatchError } from "../errors.js";
import { encodeStatusWithRetryInfo } from "./grpc-status.js";
import { listenError, type BoundAddress } from "./listen.js";
import type { OtlpIngest } from "./otlp-receiver.js";
import { encodeExportResponse } from "./otlp-wire.js";

/** The method OTLP exporters call (opentelemetry/proto/collector/trace/v1/trace_service.proto). */
export const TRACE_EXPORT_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/**
 * How long a client may take and how many connections it may hold, as gRPC expresses it. Node's
 * HTTP `headersTimeout` has no counterpart: grpc-js gives no hook before a call's headers.
 */
export interface GrpcConnectionLimits {
  /** Longest time from a call's headers to its whole request message, ms; then DEADLINE_EXCEEDED. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** A connection without calls for this long is closed (GOAWAY), ms. Default 60 s. */
  readonly keepAliveTimeoutMs?: number;
  /** Open connections at most; further ones are closed as they arrive. Default 1,024. */
  readonly maxConnections?: number;
}

export const DEFAULT_GRPC_LIMITS: Required<GrpcConnectionLimits> = {
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 60_000,
  maxConnections: 1_024,
};

/** Options of {@link createOtlpGrpcReceiver}. */
export interface OtlpGrpcReceiverOptions {
  /** Listen address; default 127.0.0.1. */
  readonly host?: string;
  /** Listen port; default 4317; 0 picks a free port. */
  readonly port?: number;
  /** Largest request message, compressed and decompressed, bytes; larger calls get RESOURCE_EXHAUSTED. Default 4 MiB. */
  readonly maxMessageBytes?: number;
  readonly limits?: GrpcConnectionLimits;
  /** The same ingest as OTLP/HTTP's, always given protobuf. */
  readonly ingest: OtlpIngest;
  /** True while the pipeline applies back-pressure: calls get `overloadCode` with RetryInfo. */
  readonly isOverloaded?: () => boolean;
  /** UNAVAILABLE (default) or RESOURCE_EXHAUSTED; both retryable with RetryInfo. */
  readonly overloadCode?: "UNAVAILABLE" | "RESOURCE_EXHAUSTED";
  /** RetryInfo.retry_delay on back-pressure answers, ms; default 1,000. */
  readonly retryDelayMs?: number;
  readonly logger?: Logger;
  /** Called once per answered call with its gRPC status code (e.g. a metrics counter). */
  readonly onResponse?: (code: grpc.status) => void;
}

/** A running (or ready to run) OTLP/gRPC trace receiver. */
export interface OtlpGrpcReceiver {
  /** Starts listening; resolves with the bound address (`url` is `grpc://host:port`). */
  listen(): Promise<BoundAddress>;
  /** Stops accepting, lets calls in flight finish (at most the request timeout); idempotent. */
  close(): Promise<void>;
}

const identity = (b: Buffer): Buffer => b;

/** Raw bytes in and out: the request goes to tracewatch's own decoder, not protobufjs. */
const TRACE_SERVICE: grpc.ServiceDefinition = {
  Export: {
    path: TRACE_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: "export",
  },
};

type Answer = { error: grpc.ServerErrorResponse } | { response: Buffer };

function failure(code: grpc.status, details: string, metadata?: grpc.Metadata): Answer {
  return { error: Object.assign(new Error(details), { code, details, ...(metadata ? { metadata } : {}) }) };
}

function exportHandler(options: OtlpGrpcReceiverOptions) {
  const overloadCode = grpc.status[options.overloadCode ?? "UNAVAILABLE"];
  const retryDelayMs = options.retryDelayMs ?? 1_000;
  const overloaded = (): Answer => {
    const details = "pipeline is applying back-pressure, retry later";
    const metadata = new grpc.Metadata();
    // RetryInfo makes RESOURCE_EXHAUSTED retryable and tells the exporter how long to wait.
    metadata.set(
      "grpc-status-details-bin",
      Buffer.from(encodeStatusWithRetryInfo(overloadCode, details, retryDelayMs)),
    );
    return failure(overloadCode, details, metadata);
  };
  const answer = async (body: Buffer): Promise<Answer> => {
    try {
      if (options.isOverloaded?.() === true) return overloaded();
      if (body.byteLength === 0) return { response: Buffer.alloc(0) };
      const result = await options.ingest(body, "otlp_proto");
      if (result.malformed === true) {
        options.logger?.debug({ reason: result.errorMessage }, "otlp request undecodable");
        return failure(grpc.status.INVALID_ARGUMENT, result.errorMessage ?? "message could not be decoded");
      }
      const partial =
        result.rejected > 0
          ? { rejectedSpans: result.rejected, errorMessage: result.errorMessage ?? "" }
          : null;
      return { response: Buffer.from(encodeExportResponse(partial, "protobuf")) };
    } catch (err) {
      if (isTracewatchError(err, "TW_QUEUE_FULL")) return overloaded();
      options.logger?.error({ err }, "otlp request failed");
      return failure(grpc.status.INTERNAL, "internal error");
    }
  };
  return (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>): void => {
    void answer(call.request).then((a) => {
      options.onResponse?.("error" in a ? (a.error.code ?? grpc.status.UNKNOWN) : grpc.status.OK);
      if ("error" in a) callback(a.error);
      else callback(null, a.response);
    });
  };
}

/**
 * Ends a call whose request message has not fully arrived `timeoutMs` after its headers with
 * DEADLINE_EXCEEDED (the HTTP receiver's request timeout; grpc-js has none of its own).
 */
function requestTimeout(timeoutMs: number, onTimeout: () => void): grpc.ServerInterceptor {
  return (_method, call) => {
    let timer: NodeJS.Timeout | null = null;
    const clear = () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    };
    const intercepting: grpc.ServerInterceptingCall = new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            timer = setTimeout(() => {
              timer = null;
              onTimeout();
              intercepting.sendStatus({
                code: grpc.status.DEADLINE_EXCEEDED,
                details: `request not received within ${timeoutMs} ms`,
              });
            }, timeoutMs);
            timer.unref();
            nextMetadata(metadata);
          },
          onReceiveMessage: (message, nextMessage) => {
            clear();
            nextMessage(message);
          },
          onCancel: clear,
        }),
      sendStatus: (status, next) => {
        clear();
        next(status);
      },
    });
    return intercepting;
  };
}

/**
 * The OTLP/gRPC trace receiver (`TraceService/Export`) as the OpenTelemetry SDK exporters and the
 * Collector's `otlp` exporter call it: protobuf requests, optionally gzip, answered with
 * ExportTraceServiceResponse (partial success when spans were refused), INVALID_ARGUMENT for an
 * undecodable message, RESOURCE_EXHAUSTED for one too large, and UNAVAILABLE (or
 * RESOURCE_EXHAUSTED) with RetryInfo under back-pressure (OTLP specification, "OTLP/gRPC").
 */
export function createOtlpGrpcReceiver(options: OtlpGrpcReceiverOptions): OtlpGrpcReceiver {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 4317;
  const maxMessageBytes = options.maxMessageBytes ?? 4 * 1024 * 1024;
  const limits = { ...DEFAULT_GRPC_LIMITS, ...options.limits };
  const server = new grpc.Server({
    "grpc.max_receive_message_length": maxMessageBytes,
    "grpc.max_connection_idle_ms": limits.keepAliveTimeoutMs,
    interceptors: [
      requestTimeout(limits.requestTimeoutMs, () => options.onResponse?.(grpc.status.DEADLINE_EXCEEDED)),
    ],
  });
  server.addService(TRACE_SERVICE, { Export: exportHandler(options) });
  // Connections go through a net.Server of ours so they can be capped (grpc-js has no option).
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const listener: NetServer = createServer((socket) => injector.injectConnection(socket));
  listener.maxConnections = limits.maxConnections;
  let closed: Promise<void> | null = null;
  return {
    async listen() {
      await new Promise<void>((resolve, reject) => {
        const failed = (err: Error) =>
          reject(
            listenError(err, host, port, {
              server: "the OTLP/gRPC receiver",
              portKey: "spec.sources.otlp_grpc.port",
              portEnv: "TRACEWATCH_OTLP_GRPC_PORT",
              hostKey: "spec.sources.otlp_grpc.host",
            }),
          );
        listener.once("error", failed);
        listener.listen(port, host, () => {
          listener.off("error", failed);
          listener.on("error", (err) => options.logger?.error({ err }, "otlp grpc listener failed"));
          resolve();
        });
      });
      const info = listener.address() as AddressInfo;
      const h = info.family === "IPv6" ? `[${info.address}]` : info.address;
      return { host: info.address, port: info.port, url: `grpc://${h}:${info.port}` };
    },
    close() {
      closed ??= shutdown(server, listener, limits.requestTimeoutMs, options.logger);
      return closed;
    },
  };
}

async function shutdown(server: grpc.Server, listener: NetServer, graceMs: number, log?: Logger) {
  if (listener.listening) listener.close();
  await new Promise<void>((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    force.unref();
    server.tryShutdown((err) => {
      clearTimeout(force);
      if (err !== undefined) log?.warn({ err: describeError(err) }, "otlp grpc shutdown");
      resolve();
    });
  });
}
