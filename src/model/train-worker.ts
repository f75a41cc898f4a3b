// Worker-thread entry: trains one model per request, off the scoring thread.
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { trainModel, type TrainOptions, type TrainResult } from "../core/model/trainer.js";
import type { TrainingSet } from "../core/model/window.js";

/** Message from the retrainer to the worker. */
export interface TrainRequest {
  readonly id: number;
  readonly set: TrainingSet;
  readonly options: Omit<TrainOptions, "pace">;
  /** Fraction of wall time the worker may compute (0 < duty ≤ 1); it sleeps the rest. */
  readonly dutyCycle: number;
}

/**
 * A pace callback that sleeps after each stretch of work so that work takes `duty` of wall time,
 * leaving CPU to the scoring thread on small machines. duty ≥ 1: never sleeps.
 */
export function pacer(duty: number): (() => void) | undefined {
  if (!(duty > 0 && duty < 1)) return undefined;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let since = performance.now();
  return () => {
    const worked = performance.now() - since;
    if (worked < 2) return;
    Atomics.wait(cell, 0, 0, worked * (1 / duty - 1));
    since = performance.now();
  };
}

/** Message from the worker back: the result plus the training time measured in the worker. */
export interface TrainResponse {
  readonly id: number;
  readonly result: TrainResult | { readonly ok: false; readonly reason: "failed"; readonly detail: string };
  readonly trainMs: number;
}

/** What the retrainer passes as workerData. */
export interface TrainWorkerData {
  /** Nice value (−20…19) for this thread, or null to leave it. */
  readonly nice: number | null;
}

/**
 * Lowers this thread's scheduling priority (Linux: a thread id is a valid target of
 * setpriority), so that on a busy machine the scoring thread wins the CPU. Returns whether it did.
 */
export function lowerThreadPriority(nice: number): boolean {
  let link: string;
  try {
    link = readlinkSync("/proc/thread-self");
  } catch {
    // Not Linux (no per-thread /proc entry): the duty cycle alone limits the worker.
    return false;
  }
  const tid = Number(link.split("/").pop());
  if (!Number.isInteger(tid)) return false;
  setPriority(tid, nice);
  return true;
}

const data = workerData as TrainWorkerData | undefined;
if (parentPort !== null && typeof data?.nice === "number") lowerThreadPriority(data.nice);

parentPort?.on("message", (req: TrainRequest) => {
  const t0 = performance.now();
  let result: TrainResponse["result"];
  try {
    const pace = pacer(req.dutyCycle);
    result = trainModel(req.set, pace === undefined ? req.options : { ...req.options, pace });
  } catch (err) {
    result = { ok: false, reason: "failed", detail: err instanceof Error ? err.message : String(err) };
  }
  const msg: TrainResponse = { id: req.id, result, trainMs: performance.now() - t0 };
  const transfer = result.ok
    ? [
        result.artifact.forest.feature.buffer,
        result.artifact.forest.left.buffer,
        result.artifact.forest.value.buffer,
      ]
    : [];
  parentPort?.postMessage(msg, transfer as ArrayBuffer[]);
});
