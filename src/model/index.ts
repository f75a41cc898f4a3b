export { decodeArtifact, encodeArtifact } from "./codec.js";
export {
  ModelFollower,
  ModelPublisher,
  type ModelFollowerOptions,
  type ModelPublisherOptions,
} from "./model-topic.js";
export {
  retrainFromFeatures,
  retrainFromTraces,
  type RetrainJobOptions,
  type RetrainJobResult,
  type RetrainProgress,
} from "./retrain-job.js";
export { Retrainer, type RetrainOutcome, type RetrainerOptions } from "./retrainer.js";
export { ModelStore, type ModelStoreOptions } from "./store.js";
