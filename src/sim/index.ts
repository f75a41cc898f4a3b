/** Synthetic traffic with labelled anomalies: the pieces other commands (bench, eval, demo) use. */
export { Simulator, type SimulatedTrace, type SimulatorOptions } from "./simulator.js";
export {
  ANOMALY_CATEGORIES,
  DEFAULT_SCHEDULE,
  type AnomalyCategory,
  type AnomalySchedule,
  type AnomalyWindow,
} from "./schedule.js";
export {
  expectedAlertType,
  labelToNdjson,
  parseLabels,
  TRACE_LABEL_KINDS,
  type Injection,
  type TraceLabel,
  type TraceLabelKind,
} from "./labels.js";
export { meetsCascadeCondition, traceShape, type TraceShape } from "./inspect.js";
export {
  ALERT_TYPES,
  evaluateAlerts,
  incidentKey,
  rocAuc,
  type AlertEvaluation,
  type AlertRef,
  type AlertType,
  type IncidentScore,
  type TypeScore,
} from "./evaluate.js";
export { describeInjection, InjectionAnnouncer } from "./describe.js";
export { REQUEST_TYPES, SLOW_REQUEST_TYPE } from "./requests.js";
export { runSimulation, type RunOptions, type RunResult, type RunSummary } from "./run.js";
export { InMemoryTraceSink, type TraceSink, type WriteResult } from "./output/sink.js";
export { EVAL_SCENARIOS, scenarioSimulator, trainingSimulator, type Scenario } from "./scenarios.js";
