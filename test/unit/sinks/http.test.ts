import { describe, expect, it } from "vitest";
import { postJson } from "../../../src/sinks/http.js";
import type { DeliveryResult } from "../../../src/sinks/types.js";

const respond = (status: number, headers: Record<string, string> = {}): typeof fetch =>
  (() => Promise.resolve(new Response(status === 204 ? null : "body", { status, headers }))) as typeof fetch;
const fail = (err: unknown): typeof fetch => (() => Promise.reject(err)) as typeof fetch;

function refused(): Error {
  return new TypeError("fetch failed", {
    cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
  });
}
function timeout(): Error {
  return Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" });
}

describe("postJson classifies the outcome", () => {
  const NOW = Date.parse("2026-01-01T00:00:00Z");
  const cases: [string, typeof fetch, DeliveryResult][] = [
    ["204 as delivered", respond(204), { ok: true }],
    ["200 as delivered", respond(200), { ok: true }],
    ["500 as retriable", respond(500), { ok: false, retriable: true, error: "HTTP 500" }],
    [
      "503 with Retry-After seconds",
      respond(503, { "retry-after": "7" }),
      { ok: false, retriable: true, error: "HTTP 503", retryAfterMs: 7_000 },
    ],
    [
      "429 with a Retry-After date",
      respond(429, { "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }),
      { ok: false, retriable: true, error: "HTTP 429", retryAfterMs: 3_000 },
    ],
    ["408 as retriable", respond(408), { ok: false, retriable: true, error: "HTTP 408" }],
    ["400 as permanent", respond(400), { ok: false, retriable: false, error: "HTTP 400" }],
    ["401 as permanent", respond(401), { ok: false, retriable: false, error: "HTTP 401" }],
    [
      "a redirect as permanent",
      respond(302, { location: "http://elsewhere" }),
      { ok: false, retriable: false, error: "HTTP 302" },
    ],
    [
      "a refused connection as retriable",
      fail(refused()),
      { ok: false, retriable: true, error: "fetch failed: ECONNREFUSED" },
    ],
    [
      "a timeout as retriable",
      fail(timeout()),
      { ok: false, retriable: true, error: "no response within 250 ms" },
    ],
  ];
  it.each(cases)("%s", async (_name, fetchImpl, expected) => {
    expect(
      await postJson("http://127.0.0.1:1/x?token=abc", "{}", {}, { fetch: fetchImpl, timeoutMs: 250 }, NOW),
    ).toEqual(expected);
  });

  it("never puts the URL (which may hold a token) in the error", async () => {
    const err = new TypeError("fetch failed", { cause: new Error("getaddrinfo ENOTFOUND") });
    const result = await postJson(
      "http://user:pw@nowhere.invalid/x?token=abc",
      "{}",
      {},
      { fetch: fail(err) },
      0,
    );
    expect(JSON.stringify(result)).not.toMatch(/token|pw|nowhere/);
  });
});
