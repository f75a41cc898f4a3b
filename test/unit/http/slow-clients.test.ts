import { connect, type Socket } from "node:net";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { createApiServer } from "../../../src/http/api.js";
import type { ConnectionLimits, HttpServer } from "../../../src/http/listen.js";
import { createOtlpReceiver } from "../../../src/http/otlp-receiver.js";
import { warmingUpProviders } from "../../helpers/api-providers.js";

/** Bound on every wait below: well beyond the limits configured here, far below Node's own defaults. */
const DEADLINE_MS = 4_000;
const TEST_TIMEOUT_MS = 10_000;

const sockets: Socket[] = [];
const timers: NodeJS.Timeout[] = [];
const servers: HttpServer[] = [];
afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const providers = warmingUpProviders({
  alerts: { page: () => ({ alerts: [], next: null }) },
  decode: () => ({ spans: [], rejected: [] }),
});

const SERVERS = [
  {
    name: "OTLP/HTTP receiver",
    path: "/v1/traces",
    create: (limits: ConnectionLimits) =>
      createOtlpReceiver({ port: 0, limits, ingest: () => ({ accepted: 0, rejected: 0 }) }),
  },
  {
    name: "API server",
    path: "/api/v1/score",
    create: (limits: ConnectionLimits) =>
      createApiServer({ port: 0, limits, registry: new Registry(), providers }),
  },
];

interface Client {
  readonly socket: Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves with true when the server closed the connection, false at the deadline. */
  closed(): Promise<boolean>;
}

async function open(port: number): Promise<Client> {
  const socket = connect({ host: "127.0.0.1", port });
  sockets.push(socket);
  let data = "";
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => (data += chunk));
  socket.on("error", () => undefined);
  const ended = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("close", () => reject(new Error("closed before connecting")));
  });
  return {
    socket,
    received: () => data,
    closed: () =>
      Promise.race([
        ended.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), DEADLINE_MS).unref()),
      ]),
  };
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function dribble(socket: Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++] as string);
  }, everyMs);
  timers.push(timer);
}

describe.each(SERVERS)("$name against slow clients", ({ path, create }) => {
  async function listen(limits: ConnectionLimits): Promise<number> {
    const server = create(limits);
    servers.push(server);
    return (await server.listen()).port;
  }

  it(
    "cuts off a client sending its body one byte at a time once request_timeout passes",
    async () => {
      const port = await listen({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
      const client = await open(port);
      client.socket.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n`,
      );
      dribble(client.socket, "{".padEnd(10_000, " "), 50);
      expect(await client.closed()).toBe(true);
      expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "cuts off a client sending its headers one byte at a time once headers_timeout passes",
    async () => {
      const port = await listen({ headersTimeoutMs: 300, requestTimeoutMs: 60_000 });
      const client = await open(port);
      dribble(client.socket, `GET /healthz HTTP/1.1\r\nHost: x\r\n${"X-Slow: y\r\n".repeat(500)}\r\n`, 50);
      expect(await client.closed()).toBe(true);
      expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "closes an idle keep-alive connection after keep_alive_timeout",
    async () => {
      const port = await listen({ keepAliveTimeoutMs: 300 });
      const client = await open(port);
      client.socket.write("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
      expect(await client.closed()).toBe(true);
      expect(client.received()).toMatch(/^HTTP\/1\.1 404 /);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "closes connections beyond max_connections and serves again once one is gone",
    async () => {
      const port = await listen({ maxConnections: 2, headersTimeoutMs: 60_000, requestTimeoutMs: 60_000 });
      const held = [await open(port), await open(port)];
      for (const c of held) c.socket.write("GET /healthz HTTP/1.1\r\n");
      const refused = await open(port);
      refused.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      expect(await refused.closed()).toBe(true);
      expect(refused.received()).toBe("");
      expect(held.map((c) => c.socket.destroyed)).toEqual([false, false]);
      held[0]?.socket.destroy();
      await new Promise((resolve) => held[0]?.socket.once("close", resolve));
      const res = await fetch(`http://127.0.0.1:${port}/nowhere`, { headers: { connection: "close" } });
      expect(res.status).toBe(404);
    },
    TEST_TIMEOUT_MS,
  );
});
