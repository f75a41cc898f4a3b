import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Span } from "../domain/span.js";
import { encodeOtlpProto } from "../otlp/index.js";
import { syntheticSpans } from "./ingest-data.js";

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * CPU seconds (user + system) this process spent in `fn`. Throughput per CPU second is "on one
 * core" and does not drop when other processes compete for the machine, as wall time would.
 */
export function cpuSeconds(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** {@link cpuSeconds} of an asynchronous `fn`, until its promise settles. */
export async function timed(fn: () => unknown): Promise<number> {
  const start = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** The garbage collector, exposed at run time (no --expose-gc flag needed). */
export function exposeGc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** OTLP protobuf messages of `spansPerMessage` spans each, whole traces in order. */
export function otlpMessages(options: {
  traces: number;
  spansPerTrace: number;
  spansPerMessage: number;
  seed: number;
}): { messages: Buffer[]; spans: number } {
  const spans = syntheticSpans({
    traces: options.traces,
    spansPerTrace: options.spansPerTrace,
    seed: options.seed,
  });
  const messages: Buffer[] = [];
  for (let i = 0; i < spans.length; i += options.spansPerMessage) {
    messages.push(Buffer.from(encodeOtlpProto(spans.slice(i, i + options.spansPerMessage))));
  }
  return { messages, spans: spans.length };
}

export type { Span };
