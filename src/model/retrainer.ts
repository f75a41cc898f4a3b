import { Worker } from "node:worker_threads";
import type { Clock } from "../core/clock.js";
import type { ModelArtifact } from "../core/model/artifact.js";
import type { Detector } from "../core/model/detector.js";
import { loadModel } from "../core/model/model.js";
import type { TrainOptions } from "../core/model/trainer.js";
import type { TrainRequest, TrainResponse, TrainWorkerData } from "./train-worker.js";

/** Outcome of one retrain, as logged and counted by the caller. */
export type RetrainOutcome =
  | {
      readonly status: "installed";
      readonly version: string;
      readonly samples: number;
      /** Flagged traces of incident buckets the training set left out (docs/model.md). */
      readonly heldBack: number;
      readonly trainMs: number;
    }
  | { readonly status: "refused"; readonly reason: string; readonly detail: string; readonly trainMs: number }
  | { readonly status: "skipped"; readonly reason: "busy" | "shut_down" };

/** Options of {@link Retrainer}. */
export interface RetrainerOptions {
  readonly detector: Detector;
  readonly clock: Clock;
  /** Training options except the name and time, filled in per run. */
  readonly train: Omit<TrainOptions, "detector" | "trainedAtMs" | "groupKey">;
  /** Called with each installed artifact (to save it to the store, publish it). */
  readonly onModel?: (a: ModelArtifact) => void | Promise<void>;
  /** Called when `onModel` fails (the model stays installed). */
  readonly onError?: (err: unknown) => void;
  /** Called with every outcome (log line and metric). */
  readonly onOutcome?: (o: RetrainOutcome) => void;
  /**
   * Fraction of wall time the worker computes while training (it sleeps the rest), so that a
   * retrain on a small machine does not starve the scoring thread. Default 0.25 (training takes
   * about four times as long: seconds for a 1M-sample window). 1 disables pacing.
   */
  readonly dutyCycle?: number;
  /**
   * Nice value of the training thread (Linux), 19 by default: the lowest priority, so that the
   * scoring thread keeps the CPU when both compete. null leaves the priority alone.
   */
  readonly workerNice?: number | null;
  /** Worker script; default the compiled train-worker.js next to this file. */
  readonly workerUrl?: URL;
  /** Extra Node flags for the worker (tests run the TypeScript sources through a loader). */
  readonly workerExecArgv?: string[];
}

/**
 * Retrains the detector's model in a worker thread when asked (on the caller's schedule, or on
 * demand). The window is snapshotted on the calling thread (a copy of bounded size), training runs
 * in the worker, and the new model is installed with one assignment; a refused model leaves the
 * old one in place.
 */
export class Retrainer {
  private readonly o: RetrainerOptions;
  private worker: Worker | null = null;
  private running: Promise<RetrainOutcome> | null = null;
  private nextId = 1;
  private closed = false;

  constructor(o: RetrainerOptions) {
    this.o = o;
  }

  /** Retrains now; a retrain already running is not started twice (status "skipped"/"busy"). */
  retrain(): Promise<RetrainOutcome> {
    if (this.closed) return Promise.resolve({ status: "skipped", reason: "shut_down" });
    if (this.running !== null) return Promise.resolve({ status: "skipped", reason: "busy" });
    const run = this.run().finally(() => {
      this.running = null;
    });
    this.running = run;
    return run;
  }

  /** Stops the worker; idempotent. Waits for a running retrain to settle. */
  async shutdown(): Promise<void> {
    this.closed = true;
    if (this.running !== null) await this.running.catch(() => undefined);
    const w = this.worker;
    this.worker = null;
    if (w !== null) await w.terminate();
  }

  private async run(): Promise<RetrainOutcome> {
    const d = this.o.detector;
    const req: TrainRequest = {
      id: this.nextId++,
      set: d.trainingSet(),
      options: { ...this.o.train, detector: d.name, groupKey: d.groupKey, trainedAtMs: this.o.clock.now() },
      dutyCycle: this.o.dutyCycle ?? 0.25,
    };
    let res: TrainResponse;
    try {
      res = await this.send(req);
    } catch (err) {
      const failed: RetrainOutcome = {
        status: "refused",
        reason: "worker_failed",
        detail: String(err),
        trainMs: 0,
      };
      this.o.onOutcome?.(failed);
      return failed;
    }
    const r = res.result;
    const outcome: RetrainOutcome = r.ok
      ? {
          status: "installed",
          version: r.artifact.version,
          samples: r.artifact.sampleCount,
          heldBack: req.set.heldBack,
          trainMs: res.trainMs,
        }
      : { status: "refused", reason: r.reason, detail: r.detail, trainMs: res.trainMs };
    if (r.ok && !this.closed) {
      d.install(loadModel(r.artifact));
      try {
        await this.o.onModel?.(r.artifact);
      } catch (err) {
        this.o.onError?.(err);
      }
    }
    this.o.onOutcome?.(outcome);
    return outcome;
  }

  private send(req: TrainRequest): Promise<TrainResponse> {
    const w = this.ensureWorker();
    return new Promise((resolve, reject) => {
      const onMessage = (m: TrainResponse): void => {
        if (m.id !== req.id) return;
        cleanup();
        resolve(m);
      };
      const onError = (err: Error): void => {
        cleanup();
        this.worker = null;
        reject(err);
      };
      const cleanup = (): void => {
        w.off("message", onMessage);
        w.off("error", onError);
      };
      w.on("message", onMessage);
      w.on("error", onError);
      w.postMessage(req, [
        req.set.rows.buffer,
        req.set.groupIndex.buffer,
        req.set.rootIndex.buffer,
      ] as ArrayBuffer[]);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker !== null) return this.worker;
    const url = this.o.workerUrl ?? new URL("./train-worker.js", import.meta.url);
    const workerData: TrainWorkerData = { nice: this.o.workerNice === undefined ? 19 : this.o.workerNice };
    const w = new Worker(url, {
      workerData,
      ...(this.o.workerExecArgv === undefined ? {} : { execArgv: this.o.workerExecArgv }),
    });
    w.unref();
    this.worker = w;
    return w;
  }
}
