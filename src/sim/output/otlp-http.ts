import { setTimeout as sleep } from "node:timers/promises";
import { describeError } from "../../errors.js";
import { encodeOtlpJson, encodeOtlpProto } from "../../otlp/index.js";
import type { SimulatedTrace } from "../simulator.js";
import type { TraceSink, WriteResult } from "./sink.js";

/** Default OTLP/HTTP traces endpoint (the OTLP default port). */
export const DEFAULT_OTLP_HTTP_URL = "http://127.0.0.1:4318/v1/traces";

/** Options of an {@link OtlpHttpTraceSink}. */
export interface OtlpHttpSinkOptions {
  /** Full URL of the traces endpoint (default {@link DEFAULT_OTLP_HTTP_URL}). */
  readonly url?: string;
  /** Body encoding (default "otlp_proto", `application/x-protobuf`). */
  readonly encoding?: "otlp_proto" | "otlp_json";
  /** Attempts per batch, including the first (default 4). */
  readonly maxAttempts?: number;
  /** Per-request timeout (ms, default 10 000). */
  readonly timeoutMs?: number;
  /** First back-off (ms, default 200), doubled per attempt, capped by Retry-After up to 5 s. */
  readonly backoffMs?: number;
}

/** Status codes the OTLP specification says to retry. */
const RETRYABLE = new Set([429, 502, 503, 504]);

/** POSTs each batch as one `ExportTraceServiceRequest`, retrying what OTLP says is retryable. */
export class OtlpHttpTraceSink implements TraceSink {
  readonly target: string;
  private readonly url: string;
  private readonly encoding: "otlp_proto" | "otlp_json";
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly backoffMs: number;

  constructor(options: OtlpHttpSinkOptions = {}) {
    this.url = options.url ?? DEFAULT_OTLP_HTTP_URL;
    this.encoding = options.encoding ?? "otlp_proto";
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.backoffMs = options.backoffMs ?? 200;
    this.target = `otlp-http:${this.url}`;
  }

  async write(traces: readonly SimulatedTrace[]): Promise<WriteResult> {
    const spans = traces.flatMap((t) => t.spans);
    const body = this.encoding === "otlp_proto" ? encodeOtlpProto(spans) : encodeOtlpJson(spans);
    const contentType = this.encoding === "otlp_proto" ? "application/x-protobuf" : "application/json";
    let last = "";
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      let waitMs = this.backoffMs * 2 ** (attempt - 1);
      try {
        const res = await fetch(this.url, {
          method: "POST",
          headers: { "content-type": contentType },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        const text = await res.text();
        if (res.ok) return { ok: true };
        last = `HTTP ${res.status}${text === "" ? "" : `: ${text.slice(0, 200)}`}`;
        if (!RETRYABLE.has(res.status)) break;
        const retryAfter = Number(res.headers.get("retry-after"));
        if (Number.isFinite(retryAfter) && retryAfter > 0) waitMs = Math.min(retryAfter * 1000, 5_000);
      } catch (err) {
        last = describeError(err);
        if (err instanceof Error && err.cause !== undefined) last += ` (${describeError(err.cause)})`;
      }
      if (attempt < this.maxAttempts) await sleep(waitMs);
    }
    return { ok: false, error: `${this.target}: ${last}` };
  }

  async close(): Promise<void> {}
}
