/**
 * Final or intermediate outcomes of a delivery, per sink:
 * delivered; retried (an attempt failed, another follows); dead_lettered (kept in the dead letters);
 * dropped (the dead-letter write still failed at shutdown: the whole alert is in the error log
 * line, and its trace is left unacknowledged so the next consumer re-reads it).
 */
export type SinkOutcome = "delivered" | "retried" | "dead_lettered" | "dropped";

/** What sinks report; the composition root adapts it to prom-client. */
export interface SinkMetrics {
  /** Alerts pending in the sink (queued, waiting to retry, in flight). */
  queueDepth(sink: string, depth: number): void;
  outcome(sink: string, outcome: SinkOutcome): void;
  /** The circuit breaker opened (true) or closed again (false). */
  circuit(sink: string, open: boolean): void;
}

export const noopSinkMetrics: SinkMetrics = {
  queueDepth: () => undefined,
  outcome: () => undefined,
  circuit: () => undefined,
};

/** The prom-client shapes used, structurally (no import of prom-client here). */
interface LabelledCounter {
  inc(labels: Record<string, string>, value?: number): void;
}
interface LabelledGauge {
  set(labels: Record<string, string>, value: number): void;
}

/**
 * Adapts prom-client metrics (`tracewatch_sink_deliveries_total{sink,outcome}`,
 * `tracewatch_sink_queue_depth{sink}`, optionally `tracewatch_sink_circuit_open{sink}`).
 */
export function sinkMetricsFrom(m: {
  readonly sinkDeliveries: LabelledCounter;
  readonly sinkQueueDepth: LabelledGauge;
  readonly sinkCircuitOpen?: LabelledGauge;
}): SinkMetrics {
  return {
    queueDepth: (sink, depth) => m.sinkQueueDepth.set({ sink }, depth),
    outcome: (sink, outcome) => m.sinkDeliveries.inc({ sink, outcome }),
    circuit: (sink, open) => m.sinkCircuitOpen?.set({ sink }, open ? 1 : 0),
  };
}
