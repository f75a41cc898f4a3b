import type { Attributes } from "../domain/span.js";
import type { Prng } from "./prng.js";
import type { TraceRecorder } from "./recorder.js";

export { TraceRecorder } from "./recorder.js";

/** A server-side handler: runs inside the callee's SERVER (or CONSUMER) span. */
export type Handler = (scope: Scope) => void;

/** Options of one outgoing HTTP call. */
export interface CallOptions {
  readonly method?: string;
  /** Extra attempts after a failure (0 by default). */
  readonly retries?: number;
  /** Median back-off between attempts (ms, default 20). */
  readonly backoffMs?: number;
  /** Extra attributes on the callee's SERVER span (e.g. user.email). */
  readonly serverAttributes?: Attributes;
}

/** Outcome of a call: the last attempt's HTTP status. */
export interface CallResult {
  readonly ok: boolean;
  readonly status: number;
}

/** A running SERVER or CONSUMER span: handlers advance its cursor with work and calls. */
export class Scope {
  /** Current time inside the span (ms from trace start). */
  cursor: number;
  /** HTTP status the span reports when it ends (200 unless the handler failed it). */
  status = 200;

  constructor(
    readonly rec: TraceRecorder,
    readonly service: string,
    readonly spanId: string,
    /** When the span started (ms from the trace start). */
    readonly startMs: number,
  ) {
    this.cursor = startMs;
  }

  get rng(): Prng {
    return this.rec.rng;
  }

  /** Spends own CPU/IO time: log-normal with the given median (ms) and sigma; `steady` work ignores host load and pauses. */
  work(medianMs: number, sigma = 0.3, steady = false): void {
    this.cursor += this.rec.workMs(this.service, medianMs, sigma, steady);
  }

  /** Marks the span failed with an HTTP status; returns false so handlers can `return s.fail()`. */
  fail(status: number): false {
    this.status = status;
    return false;
  }

  get failed(): boolean {
    return this.status >= 500;
  }

  /** Runs branches concurrently from the current cursor; continues when the slowest ends. */
  parallel(...branches: Handler[]): void {
    let end = this.cursor;
    branches.forEach((branch, i) => {
      const fork = new Scope(this.rec, this.service, this.spanId, this.cursor + i * 0.05);
      branch(fork);
      end = Math.max(end, fork.cursor);
      if (fork.status !== 200 && this.status === 200) this.status = fork.status;
    });
    this.cursor = end;
  }

  /** Calls `route` on `callee` over HTTP: a CLIENT span here, a SERVER span there, with retries. */
  call(callee: string, route: string, handler: Handler, opts: CallOptions = {}): CallResult {
    const method = opts.method ?? "GET";
    const attempts = 1 + (opts.retries ?? 0);
    let status = 0;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) this.cursor += this.rng.logNormal(opts.backoffMs ?? 20, 0.2);
      status = this.attempt(callee, method, route, handler, opts.serverAttributes, attempt + 1 < attempts);
      if (status < 500) break;
    }
    return { ok: status < 400, status };
  }

  private attempt(
    callee: string,
    method: string,
    route: string,
    handler: Handler,
    serverAttributes: Attributes | undefined,
    willRetry: boolean,
  ): number {
    const rec = this.rec;
    const clientId = rec.rng.spanId();
    const clientStart = this.cursor;
    const server = this.serve(callee, clientStart + rec.networkMs(callee), handler, willRetry);
    const clientEnd = server.cursor + rec.networkMs(callee);
    const name = `${method} ${route}`;
    const code = server.status;
    rec.emit({
      spanId: server.spanId,
      parent: clientId,
      service: callee,
      name,
      kind: "SERVER",
      startMs: server.startMs,
      endMs: server.cursor,
      status: code >= 500 ? "ERROR" : "UNSET",
      attributes: {
        "http.method": method,
        "http.route": route,
        "http.status_code": code,
        ...serverAttributes,
      },
    });
    rec.emit({
      spanId: clientId,
      parent: this.spanId,
      service: this.service,
      name,
      kind: "CLIENT",
      startMs: clientStart,
      endMs: clientEnd,
      status: code >= 400 ? "ERROR" : "UNSET",
      attributes: {
        "http.method": method,
        "http.url": `http://${callee}:8080${route}`,
        "http.status_code": code,
        "peer.service": callee,
      },
    });
    this.cursor = clientEnd;
    return code;
  }

  /** The callee's side of one attempt: queueing, then a forced failure or the handler's work. */
  private serve(callee: string, startMs: number, handler: Handler, willRetry: boolean): Scope {
    const rec = this.rec;
    const server = new Scope(rec, callee, rec.rng.spanId(), startMs);
    server.cursor += rec.queueWaitMs(callee);
    const forced = rec.takeFailure(this.service, callee, willRetry);
    if (forced !== null) {
      server.cursor += rec.rng.logNormal(1.2, 0.3);
      server.status = forced;
    } else {
      server.work(0.15, 0.3);
      handler(server);
      server.work(0.1, 0.3);
    }
    return server;
  }

  /** A database or cache call: one CLIENT span whose service is the datastore, with retries. */
  db(
    store: string,
    system: string,
    statement: string,
    medianMs: number,
    sigma = 0.4,
    retries = 0,
    steady = false,
  ): boolean {
    const rec = this.rec;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) this.cursor += rec.rng.logNormal(5, 0.2);
      const id = rec.rng.spanId();
      const start = this.cursor;
      const failure = rec.takeFailure(this.service, store, attempt < retries);
      const took =
        rec.networkMs(store) * 2 +
        rec.queueWaitMs(store) +
        (failure === null ? rec.workMs(store, medianMs, sigma, steady) : rec.rng.logNormal(1, 0.3));
      this.cursor = start + took;
      const operation = statement.split(" ", 1)[0] ?? "";
      const attrs: Attributes = {
        "db.system": system,
        "db.statement": statement,
        "db.operation": operation,
        "net.peer.name": store,
        ...(failure === null ? {} : { "error.type": "connection_error" }),
      };
      rec.emit({
        spanId: id,
        parent: this.spanId,
        service: store,
        name: `${operation} ${store}`,
        kind: "CLIENT",
        startMs: start,
        endMs: this.cursor,
        status: failure === null ? "UNSET" : "ERROR",
        attributes: attrs,
      });
      if (failure === null) return true;
    }
    return false;
  }

  /** Publishes to a Kafka topic; each consumer handles the message asynchronously afterwards. */
  produce(topic: string, consumers: ReadonlyArray<readonly [string, Handler]>): void {
    const rec = this.rec;
    const id = rec.rng.spanId();
    const start = this.cursor;
    this.cursor += rec.rng.logNormal(1.2, 0.3);
    const messaging = { "messaging.system": "kafka", "messaging.destination.name": topic };
    rec.emit({
      spanId: id,
      parent: this.spanId,
      service: this.service,
      name: `${topic} publish`,
      kind: "PRODUCER",
      startMs: start,
      endMs: this.cursor,
      status: "UNSET",
      attributes: {
        ...messaging,
        "messaging.operation": "publish",
      },
    });
    for (const [service, handler] of consumers) {
      const consumerId = rec.rng.spanId();
      const consumer = new Scope(rec, service, consumerId, this.cursor + rec.rng.logNormal(8, 0.5));
      const consumerStart = consumer.cursor;
      consumer.work(0.3, 0.3);
      handler(consumer);
      rec.emit({
        spanId: consumerId,
        parent: id,
        service,
        name: `${topic} process`,
        kind: "CONSUMER",
        startMs: consumerStart,
        endMs: consumer.cursor,
        status: consumer.failed ? "ERROR" : "UNSET",
        attributes: {
          ...messaging,
          "messaging.operation": "process",
        },
      });
    }
  }

  /** Where a canary deploy may add a call: performs the new edge's call when it starts here. */
  extensionPoint(): void {
    const edge = this.rec.effects.newEdge;
    if (edge === null || edge.caller !== this.service) return;
    this.call(
      edge.callee,
      edge.route,
      (s) => {
        s.work(3, 0.3);
        if (edge.store === "redis") s.db("redis", "redis", "GET features", 0.4);
        else s.db("postgres", "postgresql", "SELECT rules", 2);
        s.work(2, 0.3);
      },
      { method: "POST" },
    );
  }
}

/** Runs the root SERVER span of a trace (the edge service receiving the user's request). */
export function runRoot(
  rec: TraceRecorder,
  service: string,
  method: string,
  route: string,
  handler: Handler,
  attributes: Attributes = {},
): void {
  const id = rec.rng.spanId();
  const root = new Scope(rec, service, id, 0);
  root.work(0.3, 0.3);
  handler(root);
  root.work(0.2, 0.3);
  rec.emit({
    spanId: id,
    parent: null,
    service,
    name: `${method} ${route}`,
    kind: "SERVER",
    startMs: 0,
    endMs: root.cursor,
    status: root.status >= 500 ? "ERROR" : "UNSET",
    attributes: {
      "http.method": method,
      "http.route": route,
      "http.status_code": root.status,
      ...attributes,
    },
  });
}
