// Worker-thread entry: trains one model per request, off the scoring thread.
import { parentPort } from "node:worker_threads";
import { trainModel, type TrainOptions, type TrainResult } from "../core/model/trainer.js";
import type { TrainingSet } from "../core/model/window.js";

/** Message from the retrainer to the worker. */
export interface TrainRequest {
  readonly id: number;
  readonly set: TrainingSet;
  readonly options: TrainOptions;
}

/** Message from the worker back: the result plus the training time measured in the worker. */
export interface TrainResponse {
  readonly id: number;
  readonly result: TrainResult | { readonly ok: false; readonly reason: "failed"; readonly detail: string };
  readonly trainMs: number;
}

parentPort?.on("message", (req: TrainRequest) => {
  const t0 = performance.now();
  let result: TrainResponse["result"];
  try {
    result = trainModel(req.set, req.options);
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
