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
 * A fastify instance without fastify's logger or default body parsers: bodies of `contentTypes`
 * arrive as raw Buffers of at most `bodyLimit` bytes, other types are refused (415); while
 * closing it answers 503.
 */
export function rawBodyServer(bodyLimit: number, contentTypes: readonly string[]): FastifyInstance {
  const app = Fastify({ bodyLimit, logger: false, return503OnClosing: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...contentTypes], { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  return app;
}

/** `listen()` on `host:port` and an idempotent `close()` for `app`. */
export function httpServer(app: FastifyInstance, host: string, port: number): HttpServer {
  let closed: Promise<void> | null = null;
  return {
    app,
    async listen() {
      await app.listen({ host, port });
      return boundAddress(app);
    },
    close() {
      closed ??= app.close();
      return closed;
    },
  };
}
