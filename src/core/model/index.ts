export { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ForestParams, type ModelArtifact } from "./artifact.js";
export {
  DEFAULT_MIN_GROUP_SAMPLES,
  baselineFor,
  buildBaselines,
  type Baselines,
  type GroupStats,
} from "./baselines.js";
export { buildCalibration, calibrate, type Calibration } from "./calibration.js";
export { Detector, type DetectorOptions } from "./detector.js";
export { averagePathLength, trainForest, type Forest, type ForestOptions } from "./forest.js";
export { ForestScorer, scoreRows } from "./forest-scorer.js";
export { confusion, quantileSorted, rocAuc, type Confusion } from "./metrics.js";
export { Model, loadModel, type ModelScore } from "./model.js";
export { trainModel, type RejectReason, type TrainOptions, type TrainResult } from "./trainer.js";
export {
  COLUMN_SETS,
  DEFAULT_COLUMN_SET,
  type ColumnSetName,
  type FeatureColumn,
  type FeatureTransform,
} from "./transforms.js";
export { RollingWindow, type RollingWindowOptions, type TrainingSet, type WindowStats } from "./window.js";
