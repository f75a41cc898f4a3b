/**
 * Every default of the configuration, in the form the YAML file writes it (durations as strings).
 * The schema reads its defaults from here and docs/config.md prints them, so this object is the one
 * place a default changes.
 */
export const DEFAULTS = {
  model: {
    type: "isolation_forest",
    features: ["total_duration", "span_count", "error_count", "service_hop_count", "max_span_duration"],
    trees: 100,
    subsample: 256,
    seed: 1,
  },
  training: {
    window: "7d",
    sample_rate: 0.1,
    exclude_errors: false,
    retrain_interval: "1h",
    min_samples: 500,
    max_samples: 50_000,
    edge_retention: "7d",
    max_edges: 100_000,
  },
  detection: { threshold: 0.95, min_severity: 0.7 },
  alerting: { cooldown: "5m", recent_alerts: 1_000 },
  incidents: {
    group_window: "5m",
    quiet_period: "5m",
    notify: "incident",
    resend_interval: "1m",
    max_resolved: 1_000,
  },
  sources: {
    kafka: {
      brokers: [] as string[],
      topic: "otlp_spans",
      group_id: "tracewatch",
      client_id: "tracewatch",
      encoding: "auto",
      max_message_bytes: 4 * 1024 * 1024,
      session_timeout: "30s",
      heartbeat_interval: "3s",
      rebalance_timeout: "60s",
    },
    otlp_http: { host: "127.0.0.1", port: 4318, max_body_bytes: 4 * 1024 * 1024 },
    otlp_grpc: { host: "127.0.0.1", port: 4317, max_message_bytes: 4 * 1024 * 1024 },
  },
  tls: { enabled: true, reject_unauthorized: true },
  assembly: {
    decision_wait: "10s",
    root_grace: "6s",
    reopen_window: "30s",
    max_traces: 50_000,
    max_spans_per_trace: 5_000,
    max_bytes: 256 * 1024 * 1024,
  },
  topics: {
    alerts: "tracewatch.alerts",
    features: "tracewatch.features",
    models: "tracewatch.models",
    dlq: "tracewatch.dlq",
    incidents: "tracewatch.incidents",
    sampled: "tracewatch.sampled",
    create: true,
    /** -1: the broker's default.replication.factor. */
    replication_factor: -1,
    /** Per topic: partitions, and retention for the topics that are not compacted. */
    settings: {
      alerts: { partitions: 3, retention: "7d" },
      features: { partitions: 3, retention: "7d" },
      dlq: { partitions: 1, retention: "14d" },
      models: { partitions: 1, max_message_bytes: 16 * 1024 * 1024 },
      incidents: { partitions: 3 },
      sampled: { partitions: 6, retention: "1d" },
    },
  },
  sinks: {
    timeout: "5s",
    retries: 5,
    queue_size: 10_000,
    log_level: "warn",
  },
  /** Each HTTP server's (OTLP receiver, API) limits on slow and idle clients (README, "Operations"). */
  http_limits: {
    headers_timeout: "10s",
    request_timeout: "30s",
    keep_alive_timeout: "60s",
    max_connections: 1_024,
  },
  model_store: { dir: "models/", keep: 5 },
  api: { enabled: true, host: "127.0.0.1", port: 8080 },
  metrics: { max_label_sets: 1_000, span_metrics: true, service_graph: true },
  logging: { level: "info" },
} as const;
