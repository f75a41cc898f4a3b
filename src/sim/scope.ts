import type { Attributes, Span, SpanKind, SpanStatus } from "../domain/span.js";
import type { TraceEffects } from "./effects.js";
import type { Prng } from "./prng.js";

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

const ms2ns = (ms: number): bigint => BigInt(Math.round(ms * 1e6));

/** Collects the spans of one trace; times are ms offsets from the trace start until emitted. */
export class TraceRecorder {
  readonly spans: Span[] = [];

  constructor(
    readonly rng: Prng,
    readonly traceId: string,
    private readonly baseNs: bigint,
    readonly effects: TraceEffects,
  ) {}

  /** Appends one finished span. */
  emit(
    spanId: string,
    parent: string | null,
    service: string,
    name: string,
    kind: SpanKind,
    startMs: number,
    endMs: number,
    status: SpanStatus,
    attributes: Attributes,
  ): void {
    const start = this.baseNs + ms2ns(startMs);
    const end = this.baseNs + ms2ns(Math.max(endMs, startMs));
    this.spans.push({
      traceId: this.traceId,
      spanId,
      parentSpanId: parent,
      service,
      name,
      kind,
      startTimeUnixNano: start,
      endTimeUnixNano: end,
      status,
      attributes,
    });
  }

  /**
   * Whether the next call from `caller` into `callee` fails, consuming a fault or the noise budget.
   * Background noise only hits attempts that will be retried, so it never propagates.
   */
  takeFailure(caller: string, callee: string, willRetry: boolean): number | null {
    const fx = this.effects;
    if (fx.outage === callee) return 503;
    for (const fault of fx.faults) {
      if (fault.service === callee && (fault.caller ?? caller) === caller && fault.remaining > 0) {
        fault.remaining -= 1;
        return fault.status;
      }
    }
    if (willRetry && fx.transientBudget > 0 && this.rng.chance(fx.transientProbability)) {
      fx.transientBudget -= 1;
      return 503;
    }
    return null;
  }

  /** Network latency of one direction of a call into `callee` (ms). */
  networkMs(callee: string): number {
    const slow = this.effects.slowdown;
    const extra =
      slow !== null && slow.service === callee && slow.shape === "network_delay" ? slow.addedDelayMs / 2 : 0;
    return this.rng.logNormal(0.35, 0.4) + extra;
  }

  /** Own work of `service` (ms), stretched when the service is under CPU contention. */
  workMs(service: string, median: number, sigma: number): number {
    const base = this.rng.logNormal(median, sigma);
    const slow = this.effects.slowdown;
    if (slow === null || slow.service !== service || slow.shape !== "cpu_contention") return base;
    return base * this.rng.logNormal(slow.slowdownMedian, 0.5);
  }

  /** Run-queue wait before `service` starts handling a call (ms): zero unless contended. */
  queueWaitMs(service: string): number {
    const slow = this.effects.slowdown;
    if (slow === null || slow.service !== service || slow.shape !== "cpu_contention") return 0;
    return this.rng.logNormal(slow.queueWaitMedianMs, 0.6);
  }
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
    startMs: number,
  ) {
    this.cursor = startMs;
  }

  get rng(): Prng {
    return this.rec.rng;
  }

  /** Spends own CPU/IO time: log-normal with the given median (ms) and sigma. */
  work(medianMs: number, sigma = 0.3): void {
    this.cursor += this.rec.workMs(this.service, medianMs, sigma);
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
    const serverId = rec.rng.spanId();
    const clientStart = this.cursor;
    const serverStart = clientStart + rec.networkMs(callee);
    const server = new Scope(rec, callee, serverId, serverStart);
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
    const serverEnd = server.cursor;
    const clientEnd = serverEnd + rec.networkMs(callee);
    const name = `${method} ${route}`;
    const code = server.status;
    rec.emit(
      serverId,
      clientId,
      callee,
      name,
      "SERVER",
      serverStart,
      serverEnd,
      code >= 500 ? "ERROR" : "UNSET",
      {
        "http.method": method,
        "http.route": route,
        "http.status_code": code,
        ...serverAttributes,
      },
    );
    rec.emit(
      clientId,
      this.spanId,
      this.service,
      name,
      "CLIENT",
      clientStart,
      clientEnd,
      code >= 400 ? "ERROR" : "UNSET",
      {
        "http.method": method,
        "http.url": `http://${callee}:8080${route}`,
        "http.status_code": code,
        "peer.service": callee,
      },
    );
    this.cursor = clientEnd;
    return code;
  }

  /** A database or cache call: one CLIENT span whose service is the datastore, with retries. */
  db(store: string, system: string, statement: string, medianMs: number, sigma = 0.4, retries = 0): boolean {
    const rec = this.rec;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) this.cursor += rec.rng.logNormal(5, 0.2);
      const id = rec.rng.spanId();
      const start = this.cursor;
      const failure = rec.takeFailure(this.service, store, attempt < retries);
      const took =
        rec.networkMs(store) * 2 +
        rec.queueWaitMs(store) +
        (failure === null ? rec.workMs(store, medianMs, sigma) : rec.rng.logNormal(1, 0.3));
      this.cursor = start + took;
      const operation = statement.split(" ", 1)[0] ?? "";
      const attrs: Attributes = {
        "db.system": system,
        "db.statement": statement,
        "db.operation": operation,
        "net.peer.name": store,
        ...(failure === null ? {} : { "error.type": "connection_error" }),
      };
      rec.emit(
        id,
        this.spanId,
        store,
        `${operation} ${store}`,
        "CLIENT",
        start,
        this.cursor,
        failure === null ? "UNSET" : "ERROR",
        attrs,
      );
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
    rec.emit(id, this.spanId, this.service, `${topic} publish`, "PRODUCER", start, this.cursor, "UNSET", {
      ...messaging,
      "messaging.operation": "publish",
    });
    for (const [service, handler] of consumers) {
      const consumerId = rec.rng.spanId();
      const consumer = new Scope(rec, service, consumerId, this.cursor + rec.rng.logNormal(8, 0.5));
      const consumerStart = consumer.cursor;
      consumer.work(0.3, 0.3);
      handler(consumer);
      rec.emit(
        consumerId,
        id,
        service,
        `${topic} process`,
        "CONSUMER",
        consumerStart,
        consumer.cursor,
        consumer.failed ? "ERROR" : "UNSET",
        {
          ...messaging,
          "messaging.operation": "process",
        },
      );
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
  rec.emit(
    id,
    null,
    service,
    `${method} ${route}`,
    "SERVER",
    0,
    root.cursor,
    root.status >= 500 ? "ERROR" : "UNSET",
    {
      "http.method": method,
      "http.route": route,
      "http.status_code": root.status,
      ...attributes,
    },
  );
}
