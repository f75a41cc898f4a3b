import { LogSketch } from "../model/sketch.js";

/** Name of the node (and edge end) that every service beyond `maxServices` is folded into. */
export const OVERFLOW_SERVICE = "__overflow__";

/** One request across a service boundary (the service graph's edge, as the metrics compute it). */
export interface ServiceCall {
  readonly client: string;
  readonly server: string;
  readonly failed: boolean;
  /** Duration of the called (server-side) span, seconds. */
  readonly serverSeconds: number;
}

/**
 * One trace's calls read by index (the metrics' reused edge list): recording them allocates
 * nothing per call.
 */
export interface ServiceCallList {
  readonly length: number;
  client(i: number): string;
  server(i: number): string;
  failed(i: number): boolean;
  /** Duration of call `i`'s called (server-side) span, seconds. */
  serverSeconds(i: number): number;
}

/** One request handled by a service: a call into it, or a trace's root span (an entry request). */
export interface ServiceRequest {
  readonly service: string;
  readonly failed: boolean;
  readonly ms: number;
}

/** Options of {@link ServiceMapWindow}. */
export interface ServiceMapWindowOptions {
  /** Width of one time bucket, ms; default 15 s. */
  readonly bucketMs?: number;
  /** How far back the map can look (longest `window` answered), ms; default 15 min. */
  readonly retentionMs?: number;
  /** Distinct services before {@link OVERFLOW_SERVICE}; default 200. */
  readonly maxServices?: number;
  /** Distinct edges before they fold into `__overflow__ -> __overflow__`; default 1000. */
  readonly maxEdges?: number;
}

/** Requests, failures and a latency sketch of one node or edge over some buckets. */
export interface SeriesTotals {
  requests: number;
  failed: number;
  sumMs: number;
  readonly latency: LogSketch;
}

/** An edge's totals in a bucket; `server` also receives them as its node's when the map is read. */
interface EdgeTotals extends SeriesTotals {
  /** The called service; null on the overflow edge, whose calls went to their nodes directly. */
  readonly server: string | null;
}

/**
 * A recorded edge by its services' own names, both admitted and the edge not folded: its key and
 * its totals in the bucket it last counted in. Recording a known edge again then skips admission
 * and key lookups (their outcome cannot change before the next expiry, which forgets the slots).
 */
interface EdgeSlot {
  readonly key: string;
  readonly server: string;
  bucket: Bucket;
  totals: EdgeTotals;
}

interface Bucket {
  readonly startMs: number;
  /** Entry requests, and the calls folded into the overflow edge, by service. */
  readonly nodes: Map<string, SeriesTotals>;
  readonly edges: Map<string, EdgeTotals>;
}

/** The merged totals of a time range: per service and per `client->server` edge. */
export interface ServiceMapTotals {
  readonly fromMs: number;
  readonly toMs: number;
  readonly nodes: ReadonlyMap<string, SeriesTotals>;
  readonly edges: ReadonlyMap<string, SeriesTotals>;
  /** Observations folded into the overflow node or edge since the start. */
  readonly overflowed: number;
}

const ACCURACY = 0.02;
/** Calls and entries queued before they are counted in one batch. */
const QUEUE = 1024;
const OVERFLOW_EDGE = OVERFLOW_SERVICE + "->" + OVERFLOW_SERVICE;
const NO_ENTRIES: readonly ServiceRequest[] = [];
const newTotals = (): SeriesTotals => ({
  requests: 0,
  failed: 0,
  sumMs: 0,
  latency: new LogSketch(ACCURACY),
});

function add(map: Map<string, SeriesTotals>, key: string, failed: boolean, ms: number): void {
  let t = map.get(key);
  if (t === undefined) map.set(key, (t = newTotals()));
  count(t, failed, ms);
}

function count(t: SeriesTotals, failed: boolean, ms: number): void {
  t.requests++;
  if (failed) t.failed++;
  t.sumMs += ms;
  t.latency.add(ms);
}

/** {@link count} into empty totals, the sketch's bins sized like `like`'s (LogSketch.addSizedLike). */
function countSizedLike(t: SeriesTotals, failed: boolean, ms: number, like: LogSketch): void {
  t.requests++;
  if (failed) t.failed++;
  t.sumMs += ms;
  t.latency.addSizedLike(ms, like);
}

/**
 * Rolling time buckets of service-graph traffic: per bucket, per service and per edge, request
 * and failure counts and a latency sketch. Memory is bounded whatever the traffic: at most
 * `retentionMs / bucketMs` buckets, each with at most `maxServices + 1` nodes and `maxEdges + 1`
 * edges (a few hundred bytes each). Pure: time comes from the caller.
 */
export class ServiceMapWindow {
  readonly bucketMs: number;
  readonly retentionMs: number;
  private readonly maxServices: number;
  private readonly maxEdges: number;
  private readonly buckets: Bucket[] = [];
  /** Services and edges admitted so far (their names stay known while any bucket may hold them). */
  private readonly services = new Set<string>();
  private readonly edgeKeys = new Set<string>();
  /** `client` → `server` → admitted edge key, so recording a known edge builds no string. */
  private readonly edgeIndex = new Map<string, Map<string, string>>();
  /** `client` → `server` → slot of each edge recorded under its own names since the last expiry. */
  private readonly slots = new Map<string, Map<string, EdgeSlot>>();
  private folded = 0;
  /** Calls and entries queued for the newest bucket (see `enqueue`): names in pairs, then figures. */
  private readonly queuedNames: (string | null)[] = new Array<string | null>(2 * QUEUE).fill(null);
  private readonly queuedMs = new Float64Array(QUEUE);
  private readonly queuedFailed = new Uint8Array(QUEUE);
  private queued = 0;

  constructor(o: ServiceMapWindowOptions = {}) {
    this.bucketMs = o.bucketMs ?? 15_000;
    this.retentionMs = Math.max(o.retentionMs ?? 15 * 60_000, this.bucketMs);
    this.maxServices = o.maxServices ?? 200;
    this.maxEdges = o.maxEdges ?? 1000;
  }

  /** Records one trace's calls and entry requests at time `nowMs`. */
  record(nowMs: number, calls: Iterable<ServiceCall>, entries: Iterable<ServiceRequest> = NO_ENTRIES): void {
    this.bucketAt(nowMs);
    for (const c of calls) this.enqueue(c.client, c.server, c.failed, c.serverSeconds * 1000);
    for (const e of entries) this.enqueue(e.service, null, e.failed, e.ms);
  }

  /** Records one trace's calls at time `nowMs`, as {@link record} would the same calls as objects. */
  recordCalls(nowMs: number, calls: ServiceCallList): void {
    this.bucketAt(nowMs);
    for (let i = 0; i < calls.length; i++)
      this.enqueue(calls.client(i), calls.server(i), calls.failed(i), calls.serverSeconds(i) * 1000);
  }

  /** Records one entry request (a trace's root span) into `service` at time `nowMs`. */
  recordEntry(nowMs: number, service: string, failed: boolean, ms: number): void {
    this.bucketAt(nowMs);
    this.enqueue(service, null, failed, ms);
  }

  /** Totals over `[nowMs - windowMs, nowMs]` (whole buckets; windowMs capped at the retention). */
  totals(nowMs: number, windowMs: number): ServiceMapTotals {
    this.flush();
    this.expire(nowMs);
    const fromMs = nowMs - Math.min(windowMs, this.retentionMs);
    const nodes = new Map<string, SeriesTotals>();
    const edges = new Map<string, SeriesTotals>();
    for (const b of this.buckets) {
      if (b.startMs + this.bucketMs <= fromMs) continue;
      merge(nodes, b.nodes);
      merge(edges, b.edges);
      for (const e of b.edges.values()) if (e.server !== null) mergeOne(nodes, e.server, e);
    }
    return { fromMs, toMs: nowMs, nodes, edges, overflowed: this.folded };
  }

  /**
   * Queues a call (`server` null: an entry request into `client`) for the newest bucket. Queued
   * requests are counted in order, in a batch, before a newer bucket opens, before the totals are
   * read, and when the queue is full: each counts as if counted at once (admission, edge keys and
   * the overflow see the same order), while one batch keeps the map's tables and sketches in cache
   * instead of touching them between the traces' other work.
   */
  private enqueue(client: string, server: string | null, failed: boolean, ms: number): void {
    const i = this.queued;
    this.queuedNames[2 * i] = client;
    this.queuedNames[2 * i + 1] = server;
    this.queuedMs[i] = ms;
    this.queuedFailed[i] = failed ? 1 : 0;
    this.queued = i + 1;
    if (this.queued === QUEUE) this.flush();
  }

  /**
   * Counts the queued calls and entries into the newest bucket. A duration stays in the queue's
   * array until it is counted (a call the compiler does not inline would box it): a call on an
   * edge already counted in this bucket is counted here, any other by its index.
   */
  private flush(): void {
    const n = this.queued;
    if (n === 0) return;
    this.queued = 0;
    const b = this.buckets[this.buckets.length - 1]!;
    const names = this.queuedNames;
    for (let i = 0; i < n; i++) {
      const client = names[2 * i]!;
      const server = names[2 * i + 1]!;
      names[2 * i] = names[2 * i + 1] = null;
      const failed = this.queuedFailed[i] === 1;
      if (server === null) {
        add(b.nodes, this.admit(client), failed, this.queuedMs[i]!);
        continue;
      }
      const slot = this.slots.get(client)?.get(server);
      if (slot !== undefined && slot.bucket === b) count(slot.totals, failed, this.queuedMs[i]!);
      else this.countCall(b, client, server, failed, i);
    }
  }

  /** Counts queued call `i` on its edge; its server's node takes the edge's totals when read. */
  private countCall(b: Bucket, caller: string, callee: string, failed: boolean, i: number): void {
    const ms = this.queuedMs[i]!;
    const slot = this.slots.get(caller)?.get(callee);
    if (slot !== undefined) {
      if (slot.bucket !== b) {
        const before = slot.totals;
        slot.totals = edgeTotals(b, slot.key, slot.server);
        slot.bucket = b;
        // The edge's first call in this bucket: its latency sketch is sized like the last bucket's.
        if (slot.totals.requests === 0) {
          countSizedLike(slot.totals, failed, ms, before.latency);
          return;
        }
      }
      count(slot.totals, failed, ms);
      return;
    }
    const client = this.admit(caller);
    const server = this.admit(callee);
    const key = this.edgeKey(client, server);
    const t = edgeTotals(b, key, key === OVERFLOW_EDGE ? null : server);
    count(t, failed, ms);
    if (t.server === null) add(b.nodes, server, failed, ms);
    else if (client === caller && server === callee)
      this.addSlot({ key, server, bucket: b, totals: t }, client);
  }

  private admit(service: string): string {
    if (this.services.has(service)) return service;
    if (this.services.size >= this.maxServices) {
      this.folded++;
      return OVERFLOW_SERVICE;
    }
    this.services.add(service);
    return service;
  }

  private edgeKey(client: string, server: string): string {
    let servers = this.edgeIndex.get(client);
    const known = servers?.get(server);
    if (known !== undefined) return known;
    const key = client + "->" + server;
    if (!this.edgeKeys.has(key)) {
      if (this.edgeKeys.size >= this.maxEdges) {
        this.folded++;
        return OVERFLOW_EDGE;
      }
      this.edgeKeys.add(key);
    }
    if (servers === undefined) this.edgeIndex.set(client, (servers = new Map()));
    servers.set(server, key);
    return key;
  }

  private addSlot(slot: EdgeSlot, client: string): void {
    let servers = this.slots.get(client);
    if (servers === undefined) this.slots.set(client, (servers = new Map()));
    servers.set(slot.server, slot);
  }

  private bucketAt(nowMs: number): Bucket {
    const startMs = Math.floor(nowMs / this.bucketMs) * this.bucketMs;
    const last = this.buckets[this.buckets.length - 1];
    if (last !== undefined && last.startMs >= startMs) return last;
    // What was queued belongs to the bucket before this one, counted as things stood then.
    this.flush();
    this.expire(nowMs);
    const b: Bucket = { startMs, nodes: new Map(), edges: new Map() };
    this.buckets.push(b);
    return b;
  }

  /** Drops buckets older than the retention; forgets names no bucket holds any more. */
  private expire(nowMs: number): void {
    let n = 0;
    while (n < this.buckets.length && this.buckets[n]!.startMs + this.bucketMs <= nowMs - this.retentionMs)
      n++;
    if (n === 0) return;
    this.buckets.splice(0, n);
    this.services.clear();
    this.edgeKeys.clear();
    this.edgeIndex.clear();
    this.slots.clear();
    for (const b of this.buckets) {
      for (const k of b.nodes.keys()) if (k !== OVERFLOW_SERVICE) this.services.add(k);
      for (const [k, e] of b.edges) {
        if (e.server === null) continue;
        this.edgeKeys.add(k);
        if (e.server !== OVERFLOW_SERVICE) this.services.add(e.server);
      }
    }
  }
}

/** The totals of edge `key` in bucket `b`, created empty when new (`server` null: the overflow edge). */
function edgeTotals(b: Bucket, key: string, server: string | null): EdgeTotals {
  let t = b.edges.get(key);
  // A literal, not a spread of newTotals(): a spread object's fields take any value, so each
  // addition to its `sumMs` would box a new number instead of updating the field in place.
  if (t === undefined)
    b.edges.set(key, (t = { requests: 0, failed: 0, sumMs: 0, latency: new LogSketch(ACCURACY), server }));
  return t;
}

function merge(into: Map<string, SeriesTotals>, from: ReadonlyMap<string, SeriesTotals>): void {
  for (const [k, v] of from) mergeOne(into, k, v);
}

function mergeOne(into: Map<string, SeriesTotals>, key: string, v: SeriesTotals): void {
  let t = into.get(key);
  if (t === undefined) into.set(key, (t = newTotals()));
  t.requests += v.requests;
  t.failed += v.failed;
  t.sumMs += v.sumMs;
  t.latency.merge(v.latency);
}
