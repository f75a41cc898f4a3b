import type { Producer } from "kafkajs";
import type { Logger } from "pino";
import type { Clock } from "../core/clock.js";
import type { Config } from "../config/index.js";
import type { TracewatchMetrics } from "../metrics/pipeline.js";
import { ModelPublisher } from "../model/model-topic.js";
import { Retrainer, type RetrainOutcome } from "../model/retrainer.js";
import type { ModelStore } from "../model/store.js";
import { warmUpReport } from "./api-providers.js";
import type { PipelineTrainer } from "../core/pipeline/detection-pipeline.js";
import type { DetectionCore } from "./detector.js";

/** How often warm-up progress is logged while there is no model, ms. */
const WARM_UP_LOG_EVERY_MS = 60_000;

/** Training worker script and Node flags (tests run the TypeScript sources through a loader). */
export interface RetrainWorkerOptions {
  readonly url: URL;
  readonly execArgv?: string[];
}

/** What {@link createRetraining} takes from the service. */
export interface RetrainingDeps {
  readonly config: Config;
  readonly core: DetectionCore;
  readonly clock: Clock;
  readonly store: ModelStore;
  readonly metrics: TracewatchMetrics;
  /** Publishes each new model on the model topic; null without Kafka. */
  readonly producer: Producer | null;
  /** The retrainer's logger (`component: retrainer`). */
  readonly logger: Logger;
  /** Default: the compiled worker next to the retrainer. */
  readonly worker?: RetrainWorkerOptions;
}

/** The service's retraining: the worker-thread retrainer and its schedule. */
export interface Retraining {
  readonly retrainer: Retrainer;
  /** The detection pipeline's trainer: a retrain in the worker thread (its schedule is the pipeline's). */
  readonly trainer: PipelineTrainer;
  /** Logs warm-up progress once a minute while there is no model (`nowMs`: wall time). */
  tick(nowMs: number): void;
}

/**
 * Retrains in a worker thread when the detection pipeline's schedule says so: each new model is
 * counted, saved to the store and published on the model topic; every outcome is logged and counted.
 */
export function createRetraining(d: RetrainingDeps): Retraining {
  const { config, core, metrics, logger: log } = d;
  const publisher =
    d.producer === null
      ? null
      : new ModelPublisher({ producer: d.producer, topic: config.spec.topics.models });
  const retrainer = new Retrainer({
    detector: core.detector,
    clock: d.clock,
    train: core.train,
    ...(d.worker === undefined
      ? {}
      : {
          workerUrl: d.worker.url,
          ...(d.worker.execArgv === undefined ? {} : { workerExecArgv: d.worker.execArgv }),
        }),
    onModel: async (a) => {
      metrics.setModel(a.version, a.trainedAtMs);
      await d.store.save(a);
      await publisher?.publish(a);
    },
    onError: (err) => log.error({ err }, "retrained model could not be saved or published"),
    onOutcome: (o) => logOutcome(o, metrics, log),
  });
  let warmUpLoggedMs = Number.NEGATIVE_INFINITY;
  return {
    retrainer,
    trainer: { train: () => retrainer.retrain().then((o) => o.status) },
    tick(nowMs) {
      if (core.detector.model !== null || nowMs - warmUpLoggedMs < WARM_UP_LOG_EVERY_MS) return;
      warmUpLoggedMs = nowMs;
      log.info({ ...warmUpReport(core) }, "model warming up");
    },
  };
}

function logOutcome(o: RetrainOutcome, metrics: TracewatchMetrics, log: Logger): void {
  const outcome = o.status === "installed" ? "success" : o.status === "refused" ? "rejected" : "skipped";
  metrics.retrains.inc({ outcome });
  if (o.status === "installed") {
    metrics.heldBack.set(o.heldBack);
    log.info(
      { version: o.version, samples: o.samples, heldBack: o.heldBack, trainMs: o.trainMs },
      "model retrained",
    );
  } else if (o.status === "refused")
    log.warn({ reason: o.reason, detail: o.detail }, "retrained model refused; keeping the current one");
}
