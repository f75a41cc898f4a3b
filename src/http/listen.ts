import Fastify, { type FastifyInstance } from "fastify";
import type { AddressInfo } from "node:net";
import { TracewatchError } from "../errors.js";
import { isLoopbackHost } from "../config/primitives.js";

/** Where a server ended up listening. */
export interface BoundAddress {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, IPv6 hosts bracketed. */
  readonly url: string;
}

/** The address a listening fastify instance is bound to. */
export function boundAddress(app: FastifyInstance): BoundAddress {
  const info = app.server.address() as AddressInfo | null;
  if (info === null || typeof info === "string")
    throw new TracewatchError("TW_INTERNAL", "server is not listening on TCP");
  const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
  return { host: info.address, port: info.port, url: `http://${host}:${info.port}` };
}

/**
 * Refuses to expose mutating endpoints beyond this machine without a bearer token: a start-up
 * error (TW_CONFIG_INVALID) naming the host.
 */
export function assertBindAllowed(host: string, token: string | undefined): void {
  if (!isLoopbackHost(host) && (token === undefined || token === "")) {
    throw new TracewatchError(
      "TW_CONFIG_INVALID",
      `refusing to listen on ${host} without an API token: set spec.api.token (or TRACEWATCH_API_TOKEN), or listen on 127.0.0.1`,
      { details: { host } },
    );
  }
}

/** A fastify server of ours with its lifecycle. */
export interface HttpServer {
  /** The fastify instance (tests may `inject`). */
  readonly app: FastifyInstance;
  /** Starts listening; resolves with the bound address. */
  listen(): Promise<BoundAddress>;
  /** Stops accepting, finishes in-flight requests; idempotent. */
  close(): Promise<void>;
}

/**
 * How long a client may take and how many connections it may hold: what a public endpoint needs
 * against slow or idle clients (README, "Operations"). Node's and fastify's own
 * defaults set no whole-request or connection limit at all.
 */
export interface ConnectionLimits {
  /** Longest time to receive a request's headers, ms (Node `headersTimeout`). Default 10 s. */
  readonly headersTimeoutMs?: number;
  /**
   * Longest time to receive a whole request, headers and body, ms (Node `requestTimeout`): a
   * client still sending gets 408 and its connection is closed. Default 30 s.
   */
  readonly requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open after a response, ms. Default 60 s. */
  readonly keepAliveTimeoutMs?: number;
  /** Open connections at most; further ones are closed as they arrive. Default 1,024. */
  readonly maxConnections?: number;
}

/** The defaults of {@link ConnectionLimits}. */
export const DEFAULT_CONNECTION_LIMITS: Required<ConnectionLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 60_000,
  maxConnections: 1_024,
};

/**
 * How often Node looks for requests past their headers or request timeout, ms. Node checks every
 * 30 s by default, which would let a slow client overstay a short timeout by up to that much.
 */
function checkingIntervalMs(headersMs: number, requestMs: number): number {
  return Math.max(50, Math.min(1_000, Math.floor(Math.min(headersMs, requestMs) / 4)));
}

/**
 * A fastify instance without fastify's logger or default body parsers: bodies of `contentTypes`
 * arrive as raw Buffers of at most `bodyLimit` bytes, other types are refused (415); while
 * closing it answers 503. `limits` bound each client's time and the number of connections.
 */
export function rawBodyServer(
  bodyLimit: number,
  contentTypes: readonly string[],
  limits: ConnectionLimits = {},
): FastifyInstance {
  const l = { ...DEFAULT_CONNECTION_LIMITS, ...limits };
  const app = Fastify({
    bodyLimit,
    logger: false,
    return503OnClosing: true,
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    http: {
      headersTimeout: l.headersTimeoutMs,
      connectionsCheckingInterval: checkingIntervalMs(l.headersTimeoutMs, l.requestTimeoutMs),
    },
  });
  app.server.maxConnections = l.maxConnections;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...contentTypes], { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  return app;
}

/** What a server is called and which settings move it, for the error when it cannot listen. */
export interface ListenSettings {
  /** E.g. "the API", "the OTLP/HTTP receiver". */
  readonly server: string;
  /** The config key of the port, e.g. `spec.api.port`. */
  readonly portKey: string;
  /** The environment variable that overrides the port, if any. */
  readonly portEnv?: string;
  /** The config key of the listen address. */
  readonly hostKey: string;
}

/**
 * The start-up error (`TW_LISTEN_FAILED`) for a failed `listen` on `host:port`: what happened in
 * words and the setting that changes it; errors other than the usual three pass through unchanged.
 */
export function listenError(err: unknown, host: string, port: number, s: ListenSettings): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const portHint = `set ${s.portKey}${s.portEnv === undefined ? "" : ` (or ${s.portEnv})`} to another port, or 0 for any free port`;
  const reason =
    code === "EADDRINUSE"
      ? `port ${port} is already in use (another tracewatch, or another program): ${portHint}`
      : code === "EACCES"
        ? `not permitted to listen on port ${port} (ports below 1024 need privileges): ${portHint}`
        : code === "EADDRNOTAVAIL"
          ? `${host} is not an address of this machine: set ${s.hostKey} (127.0.0.1, or 0.0.0.0 for every interface)`
          : null;
  if (reason === null) return err;
  return new TracewatchError("TW_LISTEN_FAILED", `${s.server} cannot listen on ${host}:${port}: ${reason}`, {
    cause: err,
    details: { host, port, setting: s.portKey },
  });
}

/**
 * `listen()` on `host:port` and an idempotent `close()` for `app`. With `settings`, a failure to
 * listen is a {@link listenError} naming the setting that moves the server.
 */
export function httpServer(
  app: FastifyInstance,
  host: string,
  port: number,
  settings?: ListenSettings,
): HttpServer {
  let closed: Promise<void> | null = null;
  return {
    app,
    async listen() {
      try {
        await app.listen({ host, port });
      } catch (err) {
        throw settings === undefined ? err : listenError(err, host, port, settings);
      }
      return boundAddress(app);
    },
    close() {
      closed ??= app.close();
      return closed;
    },
  };
}
