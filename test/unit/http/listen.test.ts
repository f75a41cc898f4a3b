import { createServer, type Server } from "node:net";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiServer } from "../../../src/http/api.js";
import type { ApiProviders } from "../../../src/http/api-types.js";
import { createOtlpReceiver } from "../../../src/http/otlp-receiver.js";
import { listenError } from "../../../src/http/listen.js";
import { isTracewatchError } from "../../../src/errors.js";

/** A port on 127.0.0.1 held by another server for the whole file. */
let taken: Server;
let port = 0;
beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  port = (taken.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => taken.close(() => resolve()));
});

async function listenFailure(listen: () => Promise<unknown>): Promise<Error> {
  try {
    await listen();
  } catch (err) {
    return err as Error;
  }
  throw new Error("listened on a port in use");
}

describe("a port already in use", () => {
  it("the API names spec.api.port and TRACEWATCH_API_PORT", async () => {
    const api = createApiServer({
      host: "127.0.0.1",
      port,
      registry: new Registry(),
      providers: {} as ApiProviders,
    });
    const err = await listenFailure(() => api.listen());
    await api.close();
    expect(isTracewatchError(err, "TW_LISTEN_FAILED")).toBe(true);
    expect(err.message).toBe(
      `the API cannot listen on 127.0.0.1:${port}: port ${port} is already in use (another tracewatch, or another program): ` +
        "set spec.api.port (or TRACEWATCH_API_PORT) to another port, or 0 for any free port",
    );
  });

  it("the OTLP/HTTP receiver names spec.sources.otlp_http.port and TRACEWATCH_OTLP_PORT", async () => {
    const receiver = createOtlpReceiver({
      host: "127.0.0.1",
      port,
      ingest: () => ({ accepted: 0, rejected: 0 }),
    });
    const err = await listenFailure(() => receiver.listen());
    await receiver.close();
    expect(isTracewatchError(err, "TW_LISTEN_FAILED")).toBe(true);
    expect(err.message).toContain(
      `the OTLP/HTTP receiver cannot listen on 127.0.0.1:${port}: port ${port} is already in use`,
    );
    expect(err.message).toContain(
      "set spec.sources.otlp_http.port (or TRACEWATCH_OTLP_PORT) to another port",
    );
  });
});

describe("listenError", () => {
  const settings = { server: "the API", portKey: "spec.api.port", hostKey: "spec.api.host" };
  const errno = (code: string): Error => Object.assign(new Error(code), { code });

  it("says a low port needs privileges and an unknown address is not this machine's", () => {
    expect(String(listenError(errno("EACCES"), "0.0.0.0", 80, settings))).toContain(
      "not permitted to listen on port 80 (ports below 1024 need privileges): set spec.api.port to another port",
    );
    expect(String(listenError(errno("EADDRNOTAVAIL"), "10.9.9.9", 8080, settings))).toContain(
      "10.9.9.9 is not an address of this machine: set spec.api.host",
    );
  });

  it("passes other errors through unchanged", () => {
    const other = errno("EMFILE");
    expect(listenError(other, "127.0.0.1", 8080, settings)).toBe(other);
  });
});
