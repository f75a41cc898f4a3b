import type { DeliveryResult } from "./types.js";

/** Options shared by the HTTP deliverers. */
export interface HttpPostOptions {
  /** Per-attempt timeout covering connect, request and response headers, ms. Default 5000. */
  readonly timeoutMs?: number;
  /** fetch implementation (tests, proxies). Default the global fetch. */
  readonly fetch?: typeof fetch;
}

/** Statuses worth retrying although they are 4xx. */
const RETRIABLE_4XX = new Set([408, 425, 429]);

function errorText(err: unknown, timeoutMs: number): string {
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
      headers: { "content-type": "application/json", ...headers },
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
