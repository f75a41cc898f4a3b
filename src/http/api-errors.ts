import type { FastifyInstance, FastifyReply } from "fastify";
import type { Logger } from "pino";

/** Machine-readable API error codes (the `error.code` of every 4xx/5xx body). */
export const API_ERROR_CODES = [
  "invalid_request",
  "unauthorized",
  "not_found",
  "payload_too_large",
  "unsupported_media_type",
  "retrain_in_progress",
  "retrain_rejected",
  "internal",
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** JSON.stringify that writes bigint as a decimal string (span times are bigint ns). */
function toJson(body: unknown): string {
  return JSON.stringify(body, (_key, value: unknown) =>
    typeof value === "bigint" ? value.toString() : value,
  );
}

export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type("application/json; charset=utf-8").send(toJson(body));
}

/** Sends `{ error: { code, message } }`. */
export function sendError(
  reply: FastifyReply,
  status: number,
  code: ApiErrorCode,
  message: string,
): FastifyReply {
  return sendJson(reply, status, { error: { code, message } });
}

const FASTIFY_ERRORS: Record<string, [number, ApiErrorCode]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, "payload_too_large"],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, "unsupported_media_type"],
  FST_ERR_CTP_INVALID_TYPE: [415, "unsupported_media_type"],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, "invalid_request"],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, "invalid_request"],
};

/** JSON 404s and error bodies for everything fastify itself refuses; 500s are logged, not echoed. */
export function installErrorHandlers(app: FastifyInstance, logger: Logger | undefined): void {
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, "not_found", `no route ${request.method} ${request.url.split("?")[0]}`),
  );
  app.setErrorHandler((err: unknown, request, reply) => {
    const code = (err as { code?: string }).code ?? "";
    const known = FASTIFY_ERRORS[code];
    if (known !== undefined) return sendError(reply, known[0], known[1], (err as Error).message);
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500)
      return sendError(reply, status, "invalid_request", (err as Error).message);
    logger?.error({ err, route: request.routeOptions.url }, "api request failed");
    return sendError(reply, 500, "internal", "internal error");
  });
}
