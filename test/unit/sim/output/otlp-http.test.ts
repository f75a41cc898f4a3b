import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { decodeSpans } from "../../../../src/decode/index.js";
import { OtlpHttpTraceSink } from "../../../../src/sim/output/otlp-http.js";
import { Simulator } from "../../../../src/sim/simulator.js";

interface Received {
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

/** A real HTTP server on 127.0.0.1 that answers with the given statuses in turn (then 200). */
async function receiver(
  statuses: number[] = [],
): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ contentType: req.headers["content-type"], body: Buffer.concat(chunks) });
      const status = statuses.shift() ?? 200;
      res.writeHead(status, status === 429 ? { "retry-after": "0" } : {});
      res.end(status === 200 ? "" : "busy");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/traces`, received, server };
}

const traces = [...new Simulator({ seed: 12, startTimeMs: 1_700_000_000_000 }).take(40)];
let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});

describe("OtlpHttpTraceSink", () => {
  it.each([
    ["otlp_proto", "application/x-protobuf"],
    ["otlp_json", "application/json"],
  ] as const)(
    "POSTs a batch as one %s request the span decoder reads back",
    async (encoding, contentType) => {
      const r = await receiver();
      servers.push(r.server);
      const sink = new OtlpHttpTraceSink({ url: r.url, encoding });
      expect(await sink.write(traces)).toEqual({ ok: true });
      expect(r.received).toHaveLength(1);
      expect(r.received[0]!.contentType).toBe(contentType);
      const decoded = decodeSpans(r.received[0]!.body, { attributes: { mode: "all", keys: [] } });
      expect(decoded.encoding).toBe(encoding);
      expect(decoded.rejected).toEqual([]);
      const ids = (spans: ReadonlyArray<{ spanId: string }>) => spans.map((s) => s.spanId).sort();
      expect(ids(decoded.spans)).toEqual(ids(traces.flatMap((t) => t.spans)));
    },
  );

  it("retries responses OTLP calls retryable and then succeeds", async () => {
    const r = await receiver([503, 429]);
    servers.push(r.server);
    const sink = new OtlpHttpTraceSink({ url: r.url, backoffMs: 5 });
    expect(await sink.write(traces.slice(0, 2))).toEqual({ ok: true });
    expect(r.received).toHaveLength(3);
  });

  it.each([
    ["a non-retryable status after one attempt", [400], 1, "HTTP 400: busy"],
    ["a retryable status once attempts run out", [503, 503, 503], 3, "HTTP 503"],
  ])("fails with %s", async (_name, statuses, attempts, message) => {
    const r = await receiver(statuses);
    servers.push(r.server);
    const sink = new OtlpHttpTraceSink({ url: r.url, backoffMs: 5, maxAttempts: 3 });
    const result = await sink.write(traces.slice(0, 1));
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining(message) });
    expect(r.received).toHaveLength(attempts);
  });

  it("fails with the connection error when nothing listens", async () => {
    const r = await receiver();
    await new Promise((res) => r.server.close(res));
    const sink = new OtlpHttpTraceSink({ url: r.url, backoffMs: 5, maxAttempts: 2 });
    const result = await sink.write(traces.slice(0, 1));
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining("ECONNREFUSED") });
  });
});
