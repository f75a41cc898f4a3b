import { createLogger } from "../log/index.js";
import { Service } from "../service/service.js";
import { defineCommand, parseCommandArgs } from "./command.js";
import { loadCliConfig } from "./load-config.js";

const USAGE = `Usage: tracewatch serve [options]

Runs the detector. Without Kafka it listens for OTLP/gRPC on 127.0.0.1:4317 and OTLP/HTTP on
127.0.0.1:4318 (POST /v1/traces), trains and scores in process, saves models under models/ and logs alerts. With KAFKA_BROKERS set
(or sources.kafka.brokers in the config) it consumes the span topic and publishes features,
alerts and models to Kafka, creating those topics when missing (spec.topics; see 'tracewatch
topics'); a missing span topic is waited for, not ready meanwhile. The HTTP API listens on
127.0.0.1:8080.

Options:
  -c, --config PATH   config file (default: the packaged config/default.yaml, the seed's spec)
      --check         load and validate the config, print the result, exit
  -h, --help          this text

Environment: KAFKA_BROKERS, TRACEWATCH_API_TOKEN, TRACEWATCH_API_PORT, TRACEWATCH_OTLP_ENABLED,
TRACEWATCH_OTLP_PORT, TRACEWATCH_OTLP_GRPC_PORT, TRACEWATCH_LOG_LEVEL, TRACEWATCH_MODEL_DIR (see docs/config.md).
`;

async function runServe(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...argv],
    options: {
      config: { type: "string", short: "c" },
      check: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadCliConfig(values.config, process.env);
  if (values.check === true) {
    process.stdout.write(
      `config ok: detector "${config.metadata.name}", ${config.spec.alerts.length} alert rules\n`,
    );
    return 0;
  }
  const logger = createLogger({ level: config.spec.logging.level, pretty: process.stderr.isTTY === true });
  const service = new Service(config, logger);
  await service.start();
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  logger.info({ signal }, "shutting down");
  await service.stop();
  return 0;
}

export const serveCommand = defineCommand(
  "serve",
  "run the detector: consume spans, score traces, emit alerts",
  runServe,
);
