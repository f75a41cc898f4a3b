import type { FastifyInstance } from "fastify";
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
