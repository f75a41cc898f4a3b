import type { Rejection, SpanEncoding } from "../decode/index.js";
import type { ErrorCode } from "../errors.js";

/** How a consumed message ended: all spans accepted, some dead-lettered, or all dead-lettered. */
export type MessageOutcome = "ok" | "partial" | "dead_letter";

/** What the Kafka span source reports; `createIngestMetrics` implements it on prom-client. */
export interface SourceMetrics {
  messageConsumed(outcome: MessageOutcome, bytes: number): void;
  spansDecoded(encoding: SpanEncoding, count: number): void;
  /** Rejections of one message (whole-message or per span). */
  rejected(rejections: readonly Rejection[]): void;
  /** One dead-letter record written, by its error code. */
  deadLettered(code: ErrorCode): void;
  deadLetterFailed(): void;
  committed(partitions: number): void;
  commitFailed(): void;
  paused(active: boolean): void;
  rebalanced(): void;
  /** Messages between the last message handled and the partition's high watermark. */
  lag(topic: string, partition: number, messages: number): void;
}

export const noopSourceMetrics: SourceMetrics = {
  messageConsumed: () => undefined,
  spansDecoded: () => undefined,
  rejected: () => undefined,
  deadLettered: () => undefined,
  deadLetterFailed: () => undefined,
  committed: () => undefined,
  commitFailed: () => undefined,
  paused: () => undefined,
  rebalanced: () => undefined,
  lag: () => undefined,
};
