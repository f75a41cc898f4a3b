import { withoutUrlSecrets } from "./safe-url.js";
import { Secret } from "./secret.js";
import type { DeliveryResult } from "./types.js";

/** Options shared by the HTTP deliverers. */
export interface HttpPostOptions {
  /** Per-attempt timeout covering connect, request and response headers, ms. Default 5000. */
  readonly timeoutMs?: number;
  /** fetch implementation (tests, proxies). Default the global fetch. */
  readonly fetch?: typeof fetch;
  /** Value of the `authorization` header (`Basic ...` or `Bearer ...`; see {@link authorization}). */
  readonly authorization?: Secret;
}

/** How an HTTP sink authenticates; secrets come from the environment (`${VAR}` in the config). */
export type HttpAuth =
  | { readonly type: "basic"; readonly username: string; readonly password: Secret }
  | { readonly type: "bearer"; readonly token: Secret };

/** The `authorization` header value of `auth` (RFC 7617 basic, RFC 6750 bearer). */
export function authorization(auth: HttpAuth): Secret {
  if (auth.type === "bearer") return new Secret(`Bearer ${auth.token.reveal()}`);
  const pair = Buffer.from(`${auth.username}:${auth.password.reveal()}`, "utf8").toString("base64");
  return new Secret(`Basic ${pair}`);
}

/** Statuses worth retrying although they are 4xx. */
const RETRIABLE_4XX = new Set([408, 425, 429]);

/** Why a request failed. fetch puts the whole URL in some messages (credentials included): never kept. */
function errorText(err: unknown, timeoutMs: number): string {
  return withoutUrlSecrets(describeFailure(err, timeoutMs));
}

function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) {
    return `no response within ${timeoutMs} ms`;
  }
  if (err instanceof Error) {
    const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
    const detail =
      typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : "";
    return detail === "" ? err.message : `${err.message}: ${detail}`;
  }
  return String(err);
}

/** Retry-After in ms (seconds or an HTTP date), or undefined. */
function retryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * POSTs `body` and classifies the outcome: 2xx delivered; timeouts, network errors, 5xx, 408, 425
 * and 429 retriable; other statuses permanent. Error texts never include the URL or headers (they
 * may carry credentials).
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: HttpPostOptions,
  nowMs: number,
): Promise<DeliveryResult> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        ...headers,
        ...(options.authorization === undefined ? {} : { authorization: options.authorization.reveal() }),
      },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
  } catch (err) {
    return { ok: false, retriable: true, error: errorText(err, timeoutMs) };
  }
  // The response body is not needed; cancelling frees the connection's resources at once.
  await response.body?.cancel().catch(() => undefined);
  const status = response.status;
  if (status >= 200 && status < 300) return { ok: true };
  const retriable = status >= 500 || RETRIABLE_4XX.has(status);
  const after = retryAfter(response.headers.get("retry-after"), nowMs);
  const error = `HTTP ${status}`;
  return after === undefined
    ? { ok: false, retriable, error }
    : { ok: false, retriable, error, retryAfterMs: after };
}
