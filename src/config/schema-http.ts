import type { z } from "zod";
import { DEFAULTS } from "./defaults.js";
import { duration, positiveInt } from "./primitives.js";

const h = DEFAULTS.http_limits;

/** Longest time a client may take to send a whole request: 1s to 10m. */
export const requestTimeout = (description: string) =>
  duration(description, h.request_timeout, { min: "1s", max: "10m" });

/** How long an idle connection stays open: 1s to 10m. */
export const keepAliveTimeout = (description: string) =>
  duration(description, h.keep_alive_timeout, { min: "1s", max: "10m" });

/** Open connections at most. */
export const maxConnections = () =>
  positiveInt
    .max(1_000_000)
    .default(h.max_connections)
    .describe("Open connections at most; further ones are closed as they arrive.");

/**
 * Timeouts and connection cap of an HTTP server of ours (the OTLP receiver, the API), so a slow or
 * idle client cannot hold a connection forever. Why these defaults: README, "Operations".
 */
export function connectionLimitsShape() {
  return {
    headers_timeout: duration(
      "Longest time a client may take to send a request's headers; then 408 and the connection is closed. " +
        "Allowed 1s to 5m.",
      h.headers_timeout,
      { min: "1s", max: "5m" },
    ),
    request_timeout: requestTimeout(
      "Longest time a client may take to send a whole request, headers and body; then 408 and the " +
        "connection is closed. At least headers_timeout. Allowed 1s to 10m.",
    ),
    keep_alive_timeout: keepAliveTimeout(
      "How long an idle keep-alive connection stays open after a response. Allowed 1s to 10m.",
    ),
    max_connections: maxConnections(),
  };
}

/** `request_timeout` must leave the headers their time. */
export function checkConnectionLimits(
  v: { headers_timeout: number; request_timeout: number },
  ctx: z.RefinementCtx,
): void {
  if (v.request_timeout < v.headers_timeout)
    ctx.addIssue({
      code: "custom",
      path: ["request_timeout"],
      message: "must be at least headers_timeout",
    });
}
