import type { IHeaders, Producer } from "kafkajs";
import type { CoreLogger } from "../core/assembler/index.js";
import type { MessageAck } from "../core/assembler/index.js";
import { describeRejection, type DecodeResult, type Rejection, type SpanEncoding } from "../decode/index.js";
import { MessageRedactor } from "../decode/redact-message.js";
import { describeError } from "../errors.js";
import type { SourceMetrics } from "./source-metrics.js";

/** Where a dead-lettered message came from. */
export interface SourcePosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

interface Pending {
  readonly record: { key: Buffer | null; value: Buffer; headers: IHeaders };
  readonly code: Rejection["code"];
  readonly ack: MessageAck;
}

const MAX_MESSAGE_HEADER = 1_000;

/** The `error.message` header: the whole-message reason, or which spans were rejected and why. */
export function describeRejections(result: DecodeResult): string {
  const first = result.rejected[0];
  if (first === undefined) return "";
  if (first.index === undefined) return first.message;
  const parts = result.rejected.map(describeRejection);
  const text = `${result.rejected.length} span(s) rejected, ${result.spans.length} kept; ${parts.join("; ")}`;
  return text.length > MAX_MESSAGE_HEADER ? `${text.slice(0, MAX_MESSAGE_HEADER - 3)}...` : text;
}

/**
 * The value and `payload.*` headers of a dead letter: the message with `spec.redaction` applied in
 * its own encoding (`payload.redacted`: attributes hashed or deleted, when any; `payload.removed_parts`:
 * NDJSON lines that were not JSON, emptied), or, when the decoder could not read it at all (or
 * it cannot be parsed), `payload.undecodable`: `kept` (the raw bytes) or `removed` (no value; `payload.size` and
 * `payload.sha256` of what it was), as `spec.dead_letters.undecodable` says.
 */
export function redactedPayload(
  value: Buffer,
  encoding: SpanEncoding,
  redactor: MessageRedactor,
  /** False when the decoder could not read the message at all: then it is not parsed again. */
  readable = true,
): { value: Buffer; headers: IHeaders } {
  const r = readable ? redactor.redact(value, encoding) : redactor.unreadable(value);
  if (r.kind === "redacted") {
    const headers: IHeaders = {};
    if (r.redacted > 0) headers["payload.redacted"] = String(r.redacted);
    if (r.removedParts > 0) headers["payload.removed_parts"] = String(r.removedParts);
    return { value: Buffer.isBuffer(r.bytes) ? r.bytes : Buffer.from(r.bytes), headers };
  }
  if (r.bytes !== null) return { value, headers: { "payload.undecodable": "kept" } };
  return {
    value: Buffer.alloc(0),
    headers: { "payload.undecodable": "removed", "payload.size": String(r.size), "payload.sha256": r.sha256 },
  };
}

/**
 * Writes rejected messages to the dead-letter topic with their original key and headers, their
 * value redacted ({@link redactedPayload}), plus `error.code`, `error.message`, `error.spans`
 * (rejected span indexes, partial rejections only) and `source.topic`, `source.partition`,
 * `source.offset`. Each record holds its message's acknowledgement until the broker has it, so an
 * undelivered dead letter is never committed past.
 */
export class DeadLetterWriter {
  private queue: Pending[] = [];
  private failures = 0;

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly metrics: SourceMetrics,
    private readonly logger: CoreLogger,
    /** `spec.redaction` and `spec.dead_letters.undecodable`. Default: nothing to redact, keep. */
    private readonly redactor: MessageRedactor = new MessageRedactor(),
  ) {}

  add(
    message: { key: Buffer | null; value: Buffer | null; headers?: IHeaders },
    result: DecodeResult,
    position: SourcePosition,
    ack: MessageAck,
  ): void {
    const code = result.rejected[0]?.code ?? "TW_DECODE_FAILED";
    const indexes = result.rejected.flatMap((r) => (r.index === undefined ? [] : [String(r.index)]));
    // A message the decoder failed on as a whole is not trusted to a more lenient parse: its
    // personal data may sit anywhere, so the undecodable policy applies.
    const unreadable = result.rejected.some((r) => r.index === undefined && r.code === "TW_DECODE_FAILED");
    const payload = redactedPayload(
      message.value ?? Buffer.alloc(0),
      result.encoding,
      this.redactor,
      !unreadable,
    );
    const headers: IHeaders = {
      ...(message.headers ?? {}),
      ...payload.headers,
      "error.code": code,
      "error.message": describeRejections(result),
      "source.topic": position.topic,
      "source.partition": String(position.partition),
      "source.offset": position.offset,
    };
    if (indexes.length > 0) headers["error.spans"] = indexes.join(",");
    ack.hold();
    this.queue.push({
      record: { key: message.key, value: payload.value, headers },
      code,
      ack,
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Sends everything queued; on failure keeps it queued (and unacknowledged) for the next flush. */
  async flush(): Promise<boolean> {
    if (this.queue.length === 0) return true;
    const batch = this.queue;
    this.queue = [];
    try {
      await this.producer.send({ topic: this.topic, messages: batch.map((p) => p.record) });
    } catch (err) {
      this.queue = batch.concat(this.queue);
      this.failures++;
      this.metrics.deadLetterFailed();
      if (this.failures === 1 || this.failures % 100 === 0) {
        this.logger.error(
          { topic: this.topic, failures: this.failures, err: describeError(err) },
          "dead-letter write failed",
        );
      }
      return false;
    }
    for (const p of batch) {
      this.metrics.deadLettered(p.code);
      p.ack.release();
    }
    return true;
  }

  /** Forgets queued records (their acknowledgements belong to a finished consumer generation). */
  discard(): void {
    this.queue = [];
  }
}
